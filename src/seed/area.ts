/**
 * The fictional two-tier demo area: Wessex County Council and Kingsbridge City Council, their teams and
 * their staff. Everything is made up; web and email domains are `.example` domains (RFC 2606).
 *
 * A `namespace` gives a separate copy of the area (codes `<ns>-county` and `<ns>-city`, slugs and emails
 * prefixed to match) so tests can seed in parallel in one shared PostgreSQL database.
 */
import type { Role } from '../modules/identity/index.ts';
import type { AreaRole } from './people.ts';

export const DEMO_PASSWORD = 'Frontdoor-demo-1';

export interface AuthoritySpec {
  role: AreaRole;
  name: string;
  kind: 'county' | 'city';
  phone: string;
  /** How residents reach the council without the website (the contact page). */
  contact: {
    /** Local part; the domain is the council's (namespaced) demo domain. */
    emailLocal: string;
    postalAddress: string;
    phoneHours: string;
    /** Path of the video relay page on the council's website. */
    bslVideoRelayPath: string;
    offices: readonly DemoOffice[];
  };
  teams: readonly { code: string; name: string }[];
}

export interface DemoOffice {
  name: string;
  address: string;
  postcode: string;
  openingHours: string;
  stepFree: boolean;
  hearingLoop: boolean;
  parking: boolean;
  accessibleToilet: boolean;
}

export const AUTHORITIES: Record<AreaRole, AuthoritySpec> = {
  county: {
    role: 'county',
    name: 'Wessex County Council',
    kind: 'county',
    phone: '01632 960000',
    contact: {
      emailLocal: 'customerservices',
      postalAddress: 'Wessex County Council\nCounty Hall\nCastle Street\nBrambleford\nWX1 1CH',
      phoneHours: 'Monday to Friday, 8:30am to 5pm (closed on bank holidays)',
      bslVideoRelayPath: '/contact/british-sign-language',
      offices: [
        {
          name: 'County Hall customer service centre',
          address: 'County Hall\nCastle Street\nBrambleford',
          postcode: 'WX1 1CH',
          openingHours: 'Monday to Friday, 9am to 5pm. Closed on bank holidays.',
          stepFree: true,
          hearingLoop: true,
          parking: true,
          accessibleToilet: true,
        },
        {
          name: 'Lydcote Library council desk',
          address: 'Lydcote Library\nMarket Street\nLydcote',
          postcode: 'WX6 2LL',
          openingHours: 'Tuesday and Thursday, 10am to 4pm; Saturday, 10am to 1pm. Closed on bank holidays.',
          stepFree: true,
          hearingLoop: false,
          parking: false,
          accessibleToilet: false,
        },
      ],
    },
    teams: [
      { code: 'contact-centre', name: 'Customer contact centre' },
      { code: 'highways', name: 'Highways' },
      { code: 'street-lighting', name: 'Street lighting' },
      { code: 'blue-badge', name: 'Blue Badge team' },
      { code: 'concessionary-travel', name: 'Concessionary travel' },
      { code: 'parking', name: 'Parking services' },
      { code: 'waste-sites', name: 'Recycling centres' },
      { code: 'admissions', name: 'School admissions' },
      { code: 'adult-social-care', name: 'Adult social care front door' },
      { code: 'registration', name: 'Registration service' },
      { code: 'welfare', name: 'Welfare support' },
      { code: 'trading-standards', name: 'Trading Standards' },
      { code: 'complaints', name: 'Complaints and feedback' },
      { code: 'information-governance', name: 'Information governance' },
    ],
  },
  city: {
    role: 'city',
    name: 'Kingsbridge City Council',
    kind: 'city',
    phone: '01632 960500',
    contact: {
      emailLocal: 'contactus',
      postalAddress: 'Kingsbridge City Council\nGuildhall\nHigh Street\nKingsbridge\nKB1 1GH',
      phoneHours: 'Monday to Friday, 9am to 5pm (closed on bank holidays)',
      bslVideoRelayPath: '/contact/british-sign-language',
      offices: [
        {
          name: 'Guildhall customer service centre',
          address: 'Guildhall\nHigh Street\nKingsbridge',
          postcode: 'KB1 1GH',
          openingHours: 'Monday to Friday, 9am to 4:30pm. Closed on bank holidays.',
          stepFree: true,
          hearingLoop: true,
          parking: false,
          accessibleToilet: true,
        },
      ],
    },
    teams: [
      { code: 'contact-centre', name: 'Customer contact centre' },
      { code: 'waste', name: 'Waste and recycling' },
      { code: 'council-tax', name: 'Council tax and benefits' },
      { code: 'complaints', name: 'Complaints' },
    ],
  },
};

export interface StaffSpec {
  /** Local part of the email address. */
  login: string;
  authority: AreaRole;
  name: string;
  role: Role;
  teams: readonly { code: string; leader?: boolean }[];
  languages: readonly string[];
  specialisms: readonly string[];
  /** The agent's extension on the council's phone platform (call events name agents by it). */
  extension?: string;
}

/** One sign-in per role per council, plus an officer (or leader) in every service team. */
export const STAFF: readonly StaffSpec[] = [
  {
    login: 'agent',
    authority: 'county',
    extension: '2001',
    name: 'Hana Malik',
    role: 'agent',
    teams: [{ code: 'contact-centre' }],
    languages: ['en', 'pl', 'ur'],
    specialisms: ['blue-badge', 'concessionary-travel'],
  },
  {
    login: 'agent2',
    authority: 'county',
    extension: '2002',
    name: 'Rhys Morgan',
    role: 'agent',
    teams: [{ code: 'contact-centre' }],
    languages: ['en', 'cy'],
    specialisms: ['highways', 'parking'],
  },
  {
    login: 'agent3',
    authority: 'county',
    extension: '2003',
    name: 'Grace Whitaker',
    role: 'agent',
    teams: [{ code: 'contact-centre' }],
    languages: ['en', 'bsl'],
    specialisms: ['adult-social-care'],
  },
  {
    login: 'team_leader',
    authority: 'county',
    extension: '2009',
    name: 'Claire Bennett',
    role: 'team_leader',
    teams: [{ code: 'contact-centre', leader: true }],
    languages: ['en'],
    specialisms: ['complaints'],
  },
  {
    login: 'officer',
    authority: 'county',
    name: 'Sam Fletcher',
    role: 'officer',
    teams: [{ code: 'highways' }],
    languages: ['en'],
    specialisms: ['highways'],
  },
  {
    login: 'complaints_officer',
    authority: 'county',
    name: 'Adaeze Adeyemi',
    role: 'complaints_officer',
    teams: [{ code: 'complaints' }],
    languages: ['en'],
    specialisms: ['complaints', 'ombudsman'],
  },
  {
    // A second complaints officer and the team's leader: stage 2 goes to someone other than stage 1's officer.
    login: 'complaints_officer2',
    authority: 'county',
    name: 'Owen Pritchard',
    role: 'complaints_officer',
    teams: [{ code: 'complaints' }],
    languages: ['en', 'cy'],
    specialisms: ['complaints'],
  },
  {
    login: 'complaints.leader',
    authority: 'county',
    name: 'Ruth Akande',
    role: 'team_leader',
    teams: [{ code: 'complaints', leader: true }],
    languages: ['en'],
    specialisms: ['complaints', 'ombudsman'],
  },
  {
    login: 'ig_officer',
    authority: 'county',
    name: 'Martin Shaw',
    role: 'ig_officer',
    teams: [{ code: 'information-governance' }],
    languages: ['en'],
    specialisms: ['foi', 'sar'],
  },
  {
    login: 'admin',
    authority: 'county',
    name: 'Priya Patel',
    role: 'admin',
    teams: [],
    languages: ['en', 'gu'],
    specialisms: [],
  },
  {
    login: 'auditor',
    authority: 'county',
    name: 'Neil Armitage',
    role: 'auditor',
    teams: [],
    languages: ['en'],
    specialisms: [],
  },
  {
    login: 'highways.leader',
    authority: 'county',
    name: 'Steve Marsh',
    role: 'team_leader',
    teams: [
      { code: 'highways', leader: true },
      { code: 'street-lighting', leader: true },
    ],
    languages: ['en'],
    specialisms: ['highways'],
  },
  {
    login: 'street-lighting.officer',
    authority: 'county',
    name: 'Lewis Grant',
    role: 'officer',
    teams: [{ code: 'street-lighting' }],
    languages: ['en'],
    specialisms: ['street-lighting'],
  },
  {
    login: 'blue-badge.officer',
    authority: 'county',
    name: 'Jenny Clarke',
    role: 'officer',
    teams: [{ code: 'blue-badge' }],
    languages: ['en'],
    specialisms: ['blue-badge'],
  },
  {
    login: 'concessionary-travel.officer',
    authority: 'county',
    name: 'Paul Dixon',
    role: 'officer',
    teams: [{ code: 'concessionary-travel' }],
    languages: ['en'],
    specialisms: ['concessionary-travel'],
  },
  {
    login: 'parking.officer',
    authority: 'county',
    name: 'Fatima Begum',
    role: 'officer',
    teams: [{ code: 'parking' }],
    languages: ['en', 'bn'],
    specialisms: ['parking'],
  },
  {
    login: 'waste-sites.officer',
    authority: 'county',
    name: 'Tom Haines',
    role: 'officer',
    teams: [{ code: 'waste-sites' }],
    languages: ['en'],
    specialisms: ['waste-sites'],
  },
  {
    login: 'admissions.officer',
    authority: 'county',
    name: 'Laura Kemp',
    role: 'officer',
    teams: [{ code: 'admissions' }],
    languages: ['en'],
    specialisms: ['admissions'],
  },
  {
    login: 'adult-social-care.officer',
    authority: 'county',
    name: 'Joanne Reid',
    role: 'officer',
    teams: [{ code: 'adult-social-care' }],
    languages: ['en'],
    specialisms: ['adult-social-care', 'safeguarding'],
  },
  {
    login: 'adult-social-care.leader',
    authority: 'county',
    name: 'Mark Ellison',
    role: 'team_leader',
    teams: [{ code: 'adult-social-care', leader: true }],
    languages: ['en'],
    specialisms: ['adult-social-care'],
  },
  {
    login: 'registration.officer',
    authority: 'county',
    name: 'Bethan Lloyd',
    role: 'officer',
    teams: [{ code: 'registration' }],
    languages: ['en', 'cy'],
    specialisms: ['registration'],
  },
  {
    login: 'welfare.officer',
    authority: 'county',
    name: 'Daniel Osei',
    role: 'officer',
    teams: [{ code: 'welfare' }],
    languages: ['en'],
    specialisms: ['welfare'],
  },
  {
    login: 'trading-standards.officer',
    authority: 'county',
    name: 'Karen Doyle',
    role: 'officer',
    teams: [{ code: 'trading-standards' }],
    languages: ['en'],
    specialisms: ['trading-standards'],
  },
  {
    login: 'agent',
    authority: 'city',
    extension: '3001',
    name: 'Chloe Davies',
    role: 'agent',
    teams: [{ code: 'contact-centre' }],
    languages: ['en'],
    specialisms: ['council-tax'],
  },
  {
    login: 'agent2',
    authority: 'city',
    extension: '3002',
    name: 'Imran Hussain',
    role: 'agent',
    teams: [{ code: 'contact-centre' }],
    languages: ['en', 'ur', 'pa'],
    specialisms: ['waste'],
  },
  {
    login: 'team_leader',
    authority: 'city',
    extension: '3009',
    name: 'Gary Whitfield',
    role: 'team_leader',
    teams: [{ code: 'contact-centre', leader: true }],
    languages: ['en'],
    specialisms: [],
  },
  {
    login: 'officer',
    authority: 'city',
    name: 'Nicola Hart',
    role: 'officer',
    teams: [{ code: 'waste' }],
    languages: ['en'],
    specialisms: ['waste'],
  },
  {
    login: 'council-tax.officer',
    authority: 'city',
    name: 'Andrew Lowe',
    role: 'officer',
    teams: [{ code: 'council-tax' }],
    languages: ['en'],
    specialisms: ['council-tax', 'housing-benefit'],
  },
  {
    login: 'complaints_officer',
    authority: 'city',
    name: 'Helen Brooks',
    role: 'complaints_officer',
    teams: [{ code: 'complaints' }],
    languages: ['en'],
    specialisms: ['complaints'],
  },
  {
    login: 'complaints_officer2',
    authority: 'city',
    name: 'Declan Murphy',
    role: 'complaints_officer',
    teams: [{ code: 'complaints' }],
    languages: ['en'],
    specialisms: ['complaints'],
  },
  {
    login: 'complaints.leader',
    authority: 'city',
    name: 'Janet Moss',
    role: 'team_leader',
    teams: [{ code: 'complaints', leader: true }],
    languages: ['en'],
    specialisms: ['complaints'],
  },
  {
    login: 'admin',
    authority: 'city',
    name: 'Oliver Reed',
    role: 'admin',
    teams: [],
    languages: ['en'],
    specialisms: [],
  },
  {
    login: 'auditor',
    authority: 'city',
    name: 'Susan Pike',
    role: 'auditor',
    teams: [],
    languages: ['en'],
    specialisms: [],
  },
];

/** Codes, slugs and email domains for one copy of the demo area. */
export class DemoNamespace {
  readonly name: string | null;

  constructor(namespace?: string) {
    if (namespace !== undefined && !/^[a-z0-9][a-z0-9-]{0,40}$/.test(namespace)) {
      throw new RangeError('a demo namespace must be lower-case letters, digits and hyphens');
    }
    this.name = namespace ?? null;
  }

  code(role: AreaRole): string {
    return this.name ? `${this.name}-${role}` : role;
  }

  slug(slug: string): string {
    return this.name ? `${this.name}-${slug}` : slug;
  }

  /** Strips the namespace prefix from a stored slug. */
  baseSlug(slug: string): string {
    return this.name && slug.startsWith(`${this.name}-`) ? slug.slice(this.name.length + 1) : slug;
  }

  domain(role: AreaRole): string {
    return `${this.code(role)}.example.gov.uk`;
  }

  email(login: string, role: AreaRole): string {
    return `${login}@${this.domain(role)}`;
  }

  /** The key that keeps ids and references of different namespaces apart. */
  get key(): string {
    return this.name ?? '';
  }
}

export interface DemoSignIn {
  email: string;
  password: string;
  role: Role;
  /** Code of the staff member's first team, or null for admins and auditors. */
  team: string | null;
  name: string;
  authority: string;
}

/** Every demo staff sign-in (all share {@link DEMO_PASSWORD}). */
export function demoSignIns(namespace?: string): DemoSignIn[] {
  const ns = new DemoNamespace(namespace);
  return STAFF.map((s) => ({
    email: ns.email(s.login, s.authority),
    password: DEMO_PASSWORD,
    role: s.role,
    team: s.teams[0]?.code ?? null,
    name: s.name,
    authority: ns.code(s.authority),
  }));
}
