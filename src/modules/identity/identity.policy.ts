/**
 * Roles and permissions: one declared matrix. Routes name a permission; `can` decides.
 * Record-level rules (authority, team, service sensitivity) live in each module's policy and build on this.
 */
export const ROLES = [
  'agent',
  'officer',
  'team_leader',
  'complaints_officer',
  'ig_officer',
  'admin',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'workspace:use',
  'customers:read',
  'customers:write',
  'cases:read',
  'cases:write',
  'cases:assign',
  'complaints:manage',
  'information-requests:manage',
  'reports:read',
  'admin:manage',
  /** The staff list: see every account of the council and end a lock-out. */
  'staff:manage',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_LABELS: Record<Role, string> = {
  agent: 'Contact-centre agent',
  officer: 'Service officer',
  team_leader: 'Team leader',
  complaints_officer: 'Complaints officer',
  ig_officer: 'Information governance officer',
  admin: 'Administrator',
  auditor: 'Auditor',
};

const matrix: Record<Role, readonly Permission[]> = {
  agent: ['workspace:use', 'customers:read', 'customers:write', 'cases:read', 'cases:write'],
  officer: ['workspace:use', 'customers:read', 'customers:write', 'cases:read', 'cases:write'],
  team_leader: [
    'workspace:use',
    'customers:read',
    'customers:write',
    'cases:read',
    'cases:write',
    'cases:assign',
    'reports:read',
  ],
  complaints_officer: [
    'workspace:use',
    'customers:read',
    'cases:read',
    'cases:write',
    'complaints:manage',
    'reports:read',
  ],
  ig_officer: [
    'workspace:use',
    'customers:read',
    'cases:read',
    'cases:write',
    'information-requests:manage',
    'reports:read',
  ],
  admin: ['workspace:use', 'customers:read', 'cases:read', 'reports:read', 'admin:manage', 'staff:manage'],
  auditor: ['workspace:use', 'customers:read', 'cases:read', 'reports:read', 'audit:read'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * What leading a team adds to a person's roles, whatever they are: the leader of a team that handles
 * complaints (it owns a complaint service) manages complaints, so a stage 2 that must go to someone other
 * than the stage 1 officer can go to them.
 */
export interface Leadership {
  complaintsTeam?: boolean;
}

export function permissionsFor(roles: readonly string[], leads: Leadership = {}): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) if (isRole(role)) for (const p of matrix[role]) granted.add(p);
  if (leads.complaintsTeam) granted.add('complaints:manage');
  return granted;
}

export function can(roles: readonly string[], permission: Permission, leads: Leadership = {}): boolean {
  return permissionsFor(roles, leads).has(permission);
}
