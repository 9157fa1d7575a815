/** Domain → view models for the resident catalogue pages. */
import { COMPLAINT_HANDLING_CODE, FOI_WORKING_DAYS } from '../../platform/clocks/index.ts';
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

const { acknowledgeWorkingDays, respondWorkingDays } = COMPLAINT_HANDLING_CODE.stage1;
const STATUTORY_TIMESCALES: Record<string, string> = {
  foi: `${FOI_WORKING_DAYS} working days`,
  sar: 'one calendar month',
  complaint: `${acknowledgeWorkingDays + respondWorkingDays} working days`,
};

/**
 * How long a service takes, for its page. Complaints, FOI/EIR and subject access requests are due when the
 * law or the Complaint Handling Code says (their cases follow the statutory clock, not the SLA: see
 * docs/cases.md), so their pages give that timescale.
 */
export function slaText(
  sla: { unit: string; amount: number } | null | undefined,
  kind?: string,
): string | null {
  const statutory = kind && Object.hasOwn(STATUTORY_TIMESCALES, kind) ? STATUTORY_TIMESCALES[kind] : null;
  if (statutory) return statutory;
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
