import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customerSkills, decideRoute, type RoutingCandidate, type RoutingFacts } from './cases.routing.ts';

const teams = [
  { id: 't-bb', code: 'blue-badge', name: 'Blue Badge team' },
  { id: 't-city', code: 'city-highways', name: 'City highways' },
];
const person = (o: Partial<RoutingCandidate> & { id: string; name: string }): RoutingCandidate => ({
  teamIds: ['t-bb'],
  languages: ['en'],
  specialisms: [],
  available: true,
  active: true,
  openCases: 0,
  ...o,
});
const facts = (o: Partial<RoutingFacts> = {}): RoutingFacts => ({
  service: { name: 'Apply for a Blue Badge', slug: 'apply-for-a-blue-badge', teamId: 't-bb', rules: [] },
  teams,
  answers: {},
  customer: null,
  candidates: [],
  ...o,
});

describe('decideRoute', () => {
  it('defaults to the service team, unassigned, with a reason', () => {
    const d = decideRoute(facts({ candidates: [person({ id: 'a', name: 'Ann' })] }));
    assert.deepEqual(d, {
      teamId: 't-bb',
      reason: 'Blue Badge team handles "Apply for a Blue Badge". It waits on the team queue.',
    });
  });

  it('offers to an available member who speaks the customer language, before a specialist', () => {
    const d = decideRoute(
      facts({
        customer: { language: 'pl', needs: [] },
        candidates: [
          person({ id: 'spec', name: 'Sam', specialisms: ['blue-badge'] }),
          person({ id: 'away', name: 'Zofia', languages: ['pl'], available: false }),
          person({ id: 'amira', name: 'Amira Khan', languages: ['en', 'pl'] }),
        ],
      }),
    );
    assert.equal(d.assigneeId, 'amira');
    assert.equal(
      d.reason,
      'Blue Badge team handles "Apply for a Blue Badge". Offered to Amira Khan: speaks Polish, the customer\'s language.',
    );
  });

  it('matches BSL and interpreter needs, other needs by specialism, then the service specialism by load', () => {
    const bsl = decideRoute(
      facts({
        customer: { language: 'en', needs: ['bsl'] },
        candidates: [person({ id: 'g', name: 'Grace', languages: ['en', 'bsl'] })],
      }),
    );
    assert.match(bsl.reason, /Offered to Grace: uses British Sign Language/);
    const interp = decideRoute(
      facts({
        customer: { language: 'en', needs: [{ kind: 'interpreter', language: 'ur' }] },
        candidates: [person({ id: 'h', name: 'Hana', languages: ['ur'] })],
      }),
    );
    assert.match(interp.reason, /speaks Urdu/);
    const easy = decideRoute(
      facts({
        customer: { language: 'en', needs: ['easy_read'] },
        candidates: [
          person({ id: 's', name: 'Sam', specialisms: ['blue-badge'] }),
          person({ id: 'e', name: 'Eve', specialisms: ['easy-read'] }),
        ],
      }),
    );
    assert.equal(easy.assigneeId, 'e');
    const load = decideRoute(
      facts({
        candidates: [
          person({ id: 'busy', name: 'Ann', specialisms: ['blue-badge'], openCases: 9 }),
          person({ id: 'free', name: 'Bob', specialisms: ['blue-badge'], openCases: 1 }),
        ],
      }),
    );
    assert.equal(load.assigneeId, 'free');
    assert.match(load.reason, /specialises in blue badge/);
    assert.deepEqual(customerSkills({ language: 'cy', needs: ['interpreter:pl', 'large_print'] }), {
      languages: ['cy', 'pl'],
      needs: ['large-print'],
    });
  });

  it('routes by answer value or location to another team of the authority', () => {
    const service = {
      name: 'Report a road problem',
      slug: 'report-a-road-problem',
      teamId: 't-bb',
      rules: [
        {
          when: { question: 'road', equals: 'city' },
          team: 'city-highways',
          reason: 'City roads go to City highways.',
        },
        {
          when: { area: { name: 'the city centre', south: 51, west: -1, north: 52, east: 0 } },
          team: 'city-highways',
        },
        { when: { question: 'road', equals: 'x' }, team: 'no-such-team' },
      ],
    };
    const byAnswer = decideRoute(
      facts({
        service,
        answers: { road: 'city' },
        candidates: [person({ id: 'c', name: 'C', teamIds: ['t-city'] })],
      }),
    );
    assert.deepEqual(byAnswer, {
      teamId: 't-city',
      reason: 'City roads go to City highways. It waits on the team queue.',
    });
    const byPlace = decideRoute(facts({ service, location: { lat: 51.5, lng: -0.5 } }));
    assert.equal(byPlace.teamId, 't-city');
    assert.match(byPlace.reason, /^City highways: the location is in the city centre\./);
    const elsewhere = decideRoute(
      facts({ service, answers: { road: 'x' }, location: { lat: 53, lng: -0.5 } }),
    );
    assert.equal(elsewhere.teamId, 't-bb');
  });
});
