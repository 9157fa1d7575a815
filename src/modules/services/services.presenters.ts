/** Domain → view models for the resident catalogue pages. */
export interface ServiceListItem {
  slug: string;
  name: string;
  category: string;
  summary: string;
  authority_name: string;
}

export function groupByCategory(
  services: ServiceListItem[],
): { category: string; id: string; services: ServiceListItem[] }[] {
  const groups = new Map<string, ServiceListItem[]>();
  for (const service of services) {
    const list = groups.get(service.category) ?? [];
    list.push(service);
    groups.set(service.category, list);
  }
  return [...groups.entries()].map(([category, list]) => ({
    category,
    id: category
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, ''),
    services: list,
  }));
}

export function slaText(sla: { unit: string; amount: number } | null | undefined): string | null {
  if (!sla) return null;
  switch (sla.unit) {
    case 'working_days':
      return `${sla.amount} working ${sla.amount === 1 ? 'day' : 'days'}`;
    case 'calendar_days':
      return `${sla.amount} ${sla.amount === 1 ? 'day' : 'days'}`;
    case 'hours':
      return `${sla.amount} ${sla.amount === 1 ? 'hour' : 'hours'}`;
    default:
      return null;
  }
}
