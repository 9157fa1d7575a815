/**
 * Customer use-cases: find, view, log a contact, create with a duplicate check, merge and unmerge.
 * No request/reply and no SQL here; every read of a record and every change writes an audit row, and a
 * record the staff member may not see is a NotFoundError with a 'denied' audit row.
 */
import { audit } from '../../platform/audit/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { withTransaction, type Db, type Tx } from '../../platform/db/index.ts';
import { DomainRuleError, NotFoundError, ValidationError } from '../../platform/http/errors.ts';
import type { StaffPrincipal } from '../identity/index.ts';
import { canSeeCase, canSeeCustomer, scopeOf, type CustomerScope } from './customers.policy.ts';
import {
  isEmptyCriteria,
  parseSearchQuery,
  searchNameOf,
  normaliseAddress,
  type SearchCriteria,
} from './customers.normalise.ts';
import { isRepeatContact } from './customers.rules.ts';
import type { LogContactInput, NewCustomerInput } from './customers.schemas.ts';
import { UUID } from './customers.schemas.ts';
import * as repo from './customers.repository.ts';

export const TIMELINE_PAGE_SIZE = 20;

export interface RequestContext {
  staff: StaffPrincipal;
  requestId: string;
}

type LoadedCustomer = NonNullable<Awaited<ReturnType<typeof repo.findCustomer>>>;

export type ViewResult =
  | { kind: 'redirect'; id: string }
  | {
      kind: 'ok';
      customer: LoadedCustomer & { authority_name: string };
      contactPoints: Awaited<ReturnType<typeof repo.contactPointsOf>>;
      vulnerabilities: Awaited<ReturnType<typeof repo.activeVulnerabilitiesOf>>;
      relationships: repo.RelationshipRow[];
      cases: Awaited<ReturnType<typeof repo.casesOf>>;
      interactions: repo.InteractionRow[];
      totalInteractions: number;
      page: number;
      services: Awaited<ReturnType<typeof repo.activeServices>>;
      mergedRecords: Awaited<ReturnType<typeof repo.mergedInto>>;
    };

export class CustomersService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** One search box: name, email, phone, postcode, address, date of birth or case reference. */
  async search(
    ctx: RequestContext,
    q: string,
  ): Promise<{ criteria: SearchCriteria; results: repo.CustomerSummaryRow[] }> {
    const criteria = parseSearchQuery(q);
    if (isEmptyCriteria(criteria)) return { criteria, results: [] };
    const results = await repo.searchCustomers(this.db, criteria, scopeOf(ctx.staff));
    await audit(this.db, {
      actorType: 'staff',
      actorId: ctx.staff.id,
      authorityId: ctx.staff.authorityId,
      action: 'customer.search',
      recordType: 'customer',
      requestId: ctx.requestId,
      // Who saw whose details in a result list; not the search terms (they are personal data themselves).
      details: { resultCount: results.length, customerIds: results.map((r) => r.id) },
    });
    return { criteria, results };
  }

  /**
   * Loads a customer the staff member may see, or throws NotFoundError (auditing a denial when the record
   * exists but is out of scope). Merged records resolve to their survivor when `followMerges` is set.
   */
  private async visibleCustomer(
    ctx: RequestContext,
    id: string,
    action: string,
  ): Promise<{ customer: LoadedCustomer; scope: CustomerScope }> {
    if (!UUID.test(id)) throw new NotFoundError();
    const scope = scopeOf(ctx.staff);
    const customer = await repo.findCustomer(this.db, id.toLowerCase(), scope);
    if (!customer) throw new NotFoundError();
    if (
      !canSeeCustomer(scope, {
        authorityId: customer.authority_id,
        hasCaseInScope: customer.has_case_in_scope,
      })
    ) {
      await audit(this.db, {
        actorType: 'staff',
        actorId: ctx.staff.id,
        authorityId: ctx.staff.authorityId,
        action,
        recordType: 'customer',
        recordId: customer.id,
        outcome: 'denied',
        requestId: ctx.requestId,
        details: { reason: 'out_of_scope' },
      });
      throw new NotFoundError();
    }
    return { customer, scope };
  }

  /** The single view of the customer. Every view writes an audit row. */
  async view(ctx: RequestContext, id: string, page: number): Promise<ViewResult> {
    if (!UUID.test(id)) throw new NotFoundError();
    const survivor = await repo.resolveSurvivor(this.db, id.toLowerCase());
    if (!survivor) throw new NotFoundError();
    if (survivor !== id.toLowerCase()) return { kind: 'redirect', id: survivor };
    const { customer, scope } = await this.visibleCustomer(ctx, id, 'customer.view');
    const safePage = Math.max(1, Math.min(page, 10_000));
    const [contactPoints, vulnerabilities, relationships, allCases, interactions, mergedRecords, authority] =
      await Promise.all([
        repo.contactPointsOf(this.db, customer.id),
        repo.activeVulnerabilitiesOf(this.db, customer.id),
        repo.relationshipsOf(this.db, customer.id),
        repo.casesOf(this.db, customer.id),
        repo.interactionsPage(
          this.db,
          customer.id,
          scope,
          (safePage - 1) * TIMELINE_PAGE_SIZE,
          TIMELINE_PAGE_SIZE,
        ),
        repo.mergedInto(this.db, customer.id),
        repo.authorityOf(this.db, customer.authority_id),
      ]);
    const cases = allCases.filter((k) =>
      canSeeCase(scope, { sensitivity: k.sensitivity, teamId: k.team_id }),
    );
    // Services a contact can be about: the staff member's councils, the council holding the record and
    // any council with a case for the customer.
    const services = await repo.activeServices(this.db, [
      ...new Set([...scope.authorityIds, customer.authority_id, ...allCases.map((k) => k.authority_id)]),
    ]);
    await audit(this.db, {
      actorType: 'staff',
      actorId: ctx.staff.id,
      authorityId: ctx.staff.authorityId,
      action: 'customer.view',
      recordType: 'customer',
      recordId: customer.id,
      requestId: ctx.requestId,
      details: { casesShown: cases.length, casesWithheld: allCases.length - cases.length, page: safePage },
    });
    return {
      kind: 'ok',
      customer: { ...customer, authority_name: authority.name },
      contactPoints,
      vulnerabilities,
      relationships,
      cases,
      interactions,
      totalInteractions: interactions[0]?.total ?? 0,
      page: safePage,
      services,
      mergedRecords,
    };
  }

  /**
   * Logs a contact as an interaction (agent = the staff member). A contact about the same service within 7
   * days of an earlier one is flagged as a repeat. Returns the new interaction id.
   */
  async logContact(
    ctx: RequestContext,
    customerId: string,
    input: LogContactInput,
  ): Promise<{ id: string; isRepeat: boolean }> {
    const { customer, scope } = await this.visibleCustomer(ctx, customerId, 'customer.contact');
    if (customer.merged_into) throw new NotFoundError();
    let serviceId = input.serviceId;
    let caseId: string | null = null;
    let authorityId = ctx.staff.authorityId;
    if (input.caseId) {
      const cases = await repo.casesOf(this.db, customer.id);
      const linked = cases.find(
        (k) =>
          k.id === input.caseId &&
          !k.closed_at &&
          canSeeCase(scope, { sensitivity: k.sensitivity, teamId: k.team_id }),
      );
      if (!linked)
        throw new ValidationError([{ field: 'caseId', message: 'Select an open case from the list' }]);
      if (serviceId && serviceId !== linked.service_id)
        throw new ValidationError([
          {
            field: 'caseId',
            message: 'The case is about a different service: select the right service or case',
          },
        ]);
      caseId = linked.id;
      serviceId = linked.service_id;
    }
    if (serviceId) {
      const service = await repo.findService(this.db, serviceId);
      if (!service)
        throw new ValidationError([{ field: 'serviceId', message: 'Select a service from the list' }]);
      authorityId = service.authority_id;
    }
    const at = this.clock.now();
    return withTransaction(this.db, async (trx) => {
      const earlier = serviceId ? await repo.latestContactAbout(trx, customer.id, serviceId, at) : null;
      const isRepeat = isRepeatContact(earlier, at);
      const { id } = await repo.insertInteraction(trx, {
        authorityId,
        customerId: customer.id,
        caseId,
        serviceId,
        channel: input.channel,
        occurredAt: at,
        agentId: ctx.staff.id,
        summary: input.summary,
        outcome: input.outcome,
        resolvedAtFirstContact: input.outcome === 'resolved',
        isRepeat,
      });
      await audit(trx, {
        actorType: 'staff',
        actorId: ctx.staff.id,
        authorityId,
        action: 'customer.contact_logged',
        recordType: 'customer',
        recordId: customer.id,
        requestId: ctx.requestId,
        details: { interactionId: id, channel: input.channel, serviceId, caseId, isRepeat },
        at,
      });
      return { id, isRepeat };
    });
  }

  /** Likely duplicates of a customer about to be created. */
  async duplicatesOf(ctx: RequestContext, input: NewCustomerInput): Promise<repo.CustomerSummaryRow[]> {
    return repo.likelyDuplicates(
      this.db,
      {
        searchName: searchNameOf(input.givenName, input.familyName),
        email: input.email?.normalised ?? null,
        phone: input.phone?.normalised ?? null,
        dateOfBirth: input.dateOfBirth,
        postcode: input.postcode,
      },
      scopeOf(ctx.staff),
    );
  }

  /** Creates the customer and their contact points, held by the staff member's authority. */
  async create(ctx: RequestContext, input: NewCustomerInput, duplicatesOffered: string[]): Promise<string> {
    const at = this.clock.now();
    const authorityId = ctx.staff.authorityId;
    return withTransaction(this.db, async (trx) => {
      const { id } = await repo.insertCustomer(trx, {
        authorityId,
        givenName: input.givenName,
        familyName: input.familyName,
        dateOfBirth: input.dateOfBirth,
        searchName: searchNameOf(input.givenName, input.familyName),
        at,
      });
      const contactPointIds: string[] = [];
      const add = async (
        point: Omit<
          Parameters<typeof repo.insertContactPoint>[1],
          'authorityId' | 'customerId' | 'isPrimary'
        >,
      ) => {
        const row = await repo.insertContactPoint(trx, {
          ...point,
          authorityId,
          customerId: id,
          isPrimary: true,
        });
        contactPointIds.push(row.id);
      };
      if (input.email)
        await add({
          kind: 'email',
          value: input.email.value,
          normalised: input.email.normalised,
          address: null,
        });
      if (input.phone)
        await add({
          kind: 'phone',
          value: input.phone.value,
          normalised: input.phone.normalised,
          address: null,
        });
      if (input.address) {
        const address = { line1: input.address.line1, town: '', postcode: input.address.postcode };
        await add({
          kind: 'address',
          value: [address.line1, address.postcode].filter(Boolean).join(', '),
          normalised: normaliseAddress(address),
          address,
        });
      }
      await audit(trx, {
        actorType: 'staff',
        actorId: ctx.staff.id,
        authorityId,
        action: 'customer.create',
        recordType: 'customer',
        recordId: id,
        requestId: ctx.requestId,
        details: { contactPointIds, duplicatesOffered, createdAnyway: duplicatesOffered.length > 0 },
        at,
      });
      return id;
    });
  }

  /** Customers to offer as the duplicate to merge into `survivorId` (search results without itself). */
  async mergeCandidates(ctx: RequestContext, survivorId: string, q: string) {
    const { customer } = await this.visibleCustomer(ctx, survivorId, 'customer.merge');
    if (customer.merged_into) throw new NotFoundError();
    const { results } = await this.search(ctx, q);
    return { customer, results: results.filter((r) => r.id !== customer.id) };
  }

  /** Both records for the merge confirmation page. */
  async mergePair(ctx: RequestContext, survivorId: string, duplicateId: string) {
    const a = await this.visibleCustomer(ctx, survivorId, 'customer.merge');
    const b = await this.visibleCustomer(ctx, duplicateId, 'customer.merge');
    if (a.customer.merged_into || b.customer.merged_into || a.customer.id === b.customer.id)
      throw new NotFoundError();
    const summaries = await Promise.all(
      [a.customer, b.customer].map(async (c) => ({
        customer: c,
        contactPoints: await repo.contactPointsOf(this.db, c.id),
        cases: (await repo.casesOf(this.db, c.id)).filter((k) =>
          canSeeCase(a.scope, { sensitivity: k.sensitivity, teamId: k.team_id }),
        ),
      })),
    );
    return { survivor: summaries[0], duplicate: summaries[1] };
  }

  /**
   * Merges `duplicateId` into `survivorId` in one transaction: moves contact points, cases, interactions,
   * vulnerabilities and relationships, marks the duplicate `merged_into`, and audits the moved row ids so
   * the merge can be undone exactly.
   */
  async merge(ctx: RequestContext, survivorId: string, duplicateId: string): Promise<repo.MovedRows> {
    const a = await this.visibleCustomer(ctx, survivorId, 'customer.merge');
    const b = await this.visibleCustomer(ctx, duplicateId, 'customer.merge');
    if (a.customer.id === b.customer.id) throw new DomainRuleError('A record cannot be merged into itself');
    const at = this.clock.now();
    return withTransaction(this.db, async (trx) => {
      await this.lockBoth(trx, a.customer.id, b.customer.id, (rows) => {
        if (rows.some((r) => r.merged_into))
          throw new DomainRuleError('One of the records has already been merged');
      });
      const moved = await repo.moveAllRows(trx, b.customer.id, a.customer.id);
      await repo.setMergedInto(trx, b.customer.id, a.customer.id, at);
      await audit(trx, {
        actorType: 'staff',
        actorId: ctx.staff.id,
        authorityId: a.customer.authority_id,
        action: 'customer.merge',
        recordType: 'customer',
        recordId: a.customer.id,
        requestId: ctx.requestId,
        details: { survivorId: a.customer.id, mergedId: b.customer.id, moved },
        at,
      });
      return moved;
    });
  }

  private async lockBoth(
    trx: Tx,
    a: string,
    b: string,
    check: (rows: { id: string; merged_into: string | null }[]) => void,
  ): Promise<void> {
    const rows = await repo.lockCustomers(trx, [a, b]);
    if (rows.length !== 2) throw new NotFoundError();
    check(rows);
  }

  /**
   * Undoes the latest merge of `mergedId` into `survivorId` using its audit row: moves exactly the rows
   * that merge moved (and that are still on the survivor) back, and clears `merged_into`.
   */
  async unmerge(ctx: RequestContext, survivorId: string, mergedId: string): Promise<repo.MovedRows> {
    if (!UUID.test(survivorId) || !UUID.test(mergedId)) throw new NotFoundError();
    const { customer: survivor } = await this.visibleCustomer(ctx, survivorId, 'customer.unmerge');
    const at = this.clock.now();
    return withTransaction(this.db, async (trx) => {
      await this.lockBoth(trx, survivor.id, mergedId.toLowerCase(), (rows) => {
        const merged = rows.find((r) => r.id === mergedId.toLowerCase());
        const surv = rows.find((r) => r.id === survivor.id);
        if (merged?.merged_into !== survivor.id) throw new NotFoundError();
        if (surv?.merged_into)
          throw new DomainRuleError('This record has itself been merged since: undo that merge first');
      });
      const record = await repo.findMergeAudit(trx, survivor.id, mergedId.toLowerCase());
      if (!record) throw new NotFoundError();
      const details = record.details as { moved?: Partial<repo.MovedRows> };
      const moved = Object.fromEntries(
        Object.keys(repo.MOVES).map((k) => [k, details.moved?.[k as keyof repo.MovedRows] ?? []]),
      ) as repo.MovedRows;
      const back = await repo.moveRowsBack(trx, moved, mergedId.toLowerCase(), survivor.id);
      await repo.setMergedInto(trx, mergedId.toLowerCase(), null, at);
      await audit(trx, {
        actorType: 'staff',
        actorId: ctx.staff.id,
        authorityId: survivor.authority_id,
        action: 'customer.unmerge',
        recordType: 'customer',
        recordId: survivor.id,
        requestId: ctx.requestId,
        details: {
          survivorId: survivor.id,
          mergedId: mergedId.toLowerCase(),
          mergeAuditId: record.id,
          movedBack: back,
        },
        at,
      });
      return back;
    });
  }

  /** Audits a request refused by the route permission (the guard answers 403 before any record is read). */
  async auditRefused(ctx: RequestContext, action: string, recordId: string | null): Promise<void> {
    await audit(this.db, {
      actorType: 'staff',
      actorId: ctx.staff.id,
      authorityId: ctx.staff.authorityId,
      action,
      recordType: 'customer',
      recordId: recordId && UUID.test(recordId) ? recordId.toLowerCase() : null,
      outcome: 'denied',
      requestId: ctx.requestId,
      details: { reason: 'permission' },
    });
  }
}
