/**
 * Word lists for fictional demo people and places. Every place is made up: Wessex County and Kingsbridge
 * City are not real councils, the `WX` and `KB` postcode areas do not exist, and phone numbers come only
 * from Ofcom's ranges reserved for drama (07700 900000–900999 and 01632 960000–960999).
 */
import type { Random } from './random.ts';

export interface NameGroup {
  weight: number;
  female: readonly string[];
  male: readonly string[];
  family: readonly string[];
  /** Languages people in this group may prefer, with the chance that they do. */
  languages: readonly (readonly [string, number])[];
}

/** Roughly the mix of a southern English county with one city (8.7% without English as a first language). */
export const NAME_GROUPS: readonly NameGroup[] = [
  {
    weight: 76,
    female: [
      'Margaret',
      'Susan',
      'Patricia',
      'Linda',
      'Elizabeth',
      'Sarah',
      'Emma',
      'Olivia',
      'Amelia',
      'Sophie',
      'Chloe',
      'Jessica',
      'Hannah',
      'Lucy',
      'Charlotte',
      'Emily',
      'Grace',
      'Ruth',
      'Joan',
      'Eileen',
      'Dorothy',
      'Jean',
      'Karen',
      'Helen',
      'Rachel',
      'Nicola',
      'Claire',
      'Joanne',
      'Lisa',
      'Michelle',
      'Zoë',
      'Siân',
      'Ffion',
      'Bethan',
      'Niamh',
      'Siobhan',
      'Fiona',
      'Isla',
      'Julie',
      'Pauline',
      'Gillian',
      'Ava',
      'Freya',
      'Poppy',
      'Mia',
      'Ellie',
      'Abigail',
      'Kathleen',
      'Brenda',
      'Sheila',
    ],
    male: [
      'John',
      'David',
      'Michael',
      'Peter',
      'Robert',
      'James',
      'William',
      'Richard',
      'Thomas',
      'George',
      'Harry',
      'Oliver',
      'Jack',
      'Charlie',
      'Noah',
      'Leo',
      'Arthur',
      'Alfie',
      'Daniel',
      'Matthew',
      'Christopher',
      'Andrew',
      'Mark',
      'Paul',
      'Stephen',
      'Gareth',
      'Rhys',
      'Owen',
      'Dylan',
      'Callum',
      'Euan',
      'Liam',
      'Ciarán',
      'Sean',
      'Graham',
      'Keith',
      'Colin',
      'Brian',
      'Kevin',
      'Ian',
      'Alan',
      'Trevor',
      'Nathan',
      'Ryan',
      'Jamie',
      'Lewis',
      'Kieran',
      'Dominic',
      'Frederick',
      'Edward',
    ],
    family: [
      'Smith',
      'Jones',
      'Williams',
      'Taylor',
      'Brown',
      'Davies',
      'Evans',
      'Wilson',
      'Thomas',
      'Johnson',
      'Roberts',
      'Robinson',
      'Thompson',
      'Wright',
      'Walker',
      'White',
      'Edwards',
      'Hughes',
      'Green',
      'Hall',
      'Lewis',
      'Harris',
      'Clarke',
      'Jackson',
      'Wood',
      'Turner',
      'Martin',
      'Cooper',
      'Hill',
      'Ward',
      'Morris',
      'Moore',
      'Clark',
      'Lee',
      'King',
      'Baker',
      'Harrison',
      'Morgan',
      'Allen',
      'James',
      'Scott',
      'Phillips',
      'Watson',
      'Davis',
      'Parker',
      'Price',
      'Bennett',
      'Young',
      'Griffiths',
      'Mitchell',
      'Kelly',
      'Cook',
      'Carter',
      'Richardson',
      'Bailey',
      'Collins',
      'Bell',
      'Shaw',
      'Murphy',
      'Miller',
      'Cox',
      'Richards',
      "O'Brien",
      "O'Neill",
      'McDonald',
      'MacLeod',
      'Fraser',
      'Campbell',
      'Stewart',
      'Llewellyn',
      'Pritchard',
      'Rees',
      'Jenkins',
      'Pugh',
      'Ashworth',
      'Fairbrother',
      'Hawkins',
      'Pearce',
      'Sutton',
      'Yeo',
    ],
    languages: [['cy', 0.01]],
  },
  {
    weight: 8,
    female: [
      'Aisha',
      'Ayesha',
      'Fatima',
      'Priya',
      'Anjali',
      'Nadia',
      'Zainab',
      'Yasmin',
      'Sana',
      'Hina',
      'Parveen',
      'Shabana',
      'Simran',
      'Harpreet',
      'Meera',
      'Sunita',
      'Rukhsana',
      'Nasreen',
    ],
    male: [
      'Mohammed',
      'Muhammad',
      'Ali',
      'Imran',
      'Hassan',
      'Omar',
      'Raj',
      'Arjun',
      'Sanjay',
      'Vikram',
      'Bilal',
      'Tariq',
      'Zubair',
      'Harjit',
      'Gurpreet',
      'Abdul',
      'Faisal',
      'Rahul',
    ],
    family: [
      'Khan',
      'Ahmed',
      'Ali',
      'Hussain',
      'Begum',
      'Shah',
      'Akhtar',
      'Rahman',
      'Mahmood',
      'Iqbal',
      'Singh',
      'Kaur',
      'Sharma',
      'Gupta',
      'Chowdhury',
      'Patel',
      'Malik',
      'Qureshi',
      'Bibi',
      'Sandhu',
    ],
    languages: [
      ['ur', 0.12],
      ['pa', 0.06],
      ['bn', 0.04],
      ['gu', 0.03],
    ],
  },
  {
    weight: 5,
    female: [
      'Agnieszka',
      'Katarzyna',
      'Magdalena',
      'Anna',
      'Joanna',
      'Marta',
      'Ewa',
      'Zofia',
      'Aleksandra',
      'Monika',
    ],
    male: [
      'Tomasz',
      'Piotr',
      'Krzysztof',
      'Łukasz',
      'Paweł',
      'Marek',
      'Jakub',
      'Michał',
      'Grzegorz',
      'Wojciech',
    ],
    family: [
      'Nowak',
      'Kowalski',
      'Wiśniewski',
      'Wójcik',
      'Kowalczyk',
      'Kamiński',
      'Lewandowski',
      'Zieliński',
      'Szymański',
      'Dąbrowski',
    ],
    languages: [['pl', 0.35]],
  },
  {
    weight: 2,
    female: ['Ioana', 'Elena', 'Andreea', 'Mihaela', 'Cristina'],
    male: ['Andrei', 'Mihai', 'Alexandru', 'Ion', 'Florin'],
    family: ['Popescu', 'Ionescu', 'Popa', 'Dumitru', 'Stan', 'Constantin'],
    languages: [['ro', 0.3]],
  },
  {
    weight: 3,
    female: ['Ngozi', 'Chiamaka', 'Abimbola', 'Adwoa', 'Funmilayo', 'Blessing', 'Folake'],
    male: ['Chinedu', 'Oluwaseun', 'Kwame', 'Emeka', 'Tunde', 'Kofi', 'Babajide'],
    family: ['Okafor', 'Adeyemi', 'Mensah', 'Osei', 'Okonkwo', 'Adebayo', 'Boateng', 'Eze'],
    languages: [],
  },
  {
    weight: 1,
    female: ['Hodan', 'Fartun', 'Amina', 'Sahra', 'Ifrah'],
    male: ['Abdi', 'Mohamed', 'Ahmed', 'Yusuf', 'Abdirahman'],
    family: ['Abdi', 'Mohamud', 'Warsame', 'Farah', 'Hassan', 'Jama'],
    languages: [
      ['so', 0.4],
      ['ar', 0.1],
    ],
  },
  {
    weight: 2,
    female: ['Mei', 'Lin', 'Xiu', 'Hui', 'Thi', 'Lan'],
    male: ['Wei', 'Jun', 'Hao', 'Ming', 'Minh', 'Tuan'],
    family: ['Wang', 'Li', 'Chen', 'Zhang', 'Liu', 'Nguyen', 'Tran', 'Huang'],
    languages: [
      ['zh', 0.25],
      ['vi', 0.1],
    ],
  },
  {
    weight: 3,
    female: ['Maria', 'Ana', 'Sofia', 'Leila', 'Shirin', 'Giulia', 'Inês', 'Elif'],
    male: ['Carlos', 'João', 'Darius', 'Marco', 'Luca', 'Tiago', 'Mehmet', 'Reza'],
    family: ['Santos', 'Silva', 'Fernandes', 'Rossi', 'Müller', 'Yilmaz', 'Ahmadi', 'García', 'Costa'],
    languages: [
      ['pt', 0.15],
      ['tr', 0.08],
      ['fa', 0.08],
    ],
  },
];

export interface Town {
  name: string;
  /** Postcode area and districts, e.g. KB and 1–9 give KB1 … KB9. */
  area: string;
  districts: readonly number[];
  /** Centre of the town (fictional placement, used for map locations). */
  lat: number;
  lng: number;
}

/** Kingsbridge is the city; the rest are towns in Wessex County. None is a real council area. */
export const CITY_TOWN: Town = {
  name: 'Kingsbridge',
  area: 'KB',
  districts: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  lat: 51.062,
  lng: -2.318,
};
export const COUNTY_TOWNS: readonly Town[] = [
  { name: 'Brambleford', area: 'WX', districts: [1, 2, 3, 4], lat: 51.141, lng: -2.512 },
  { name: 'Lydcote', area: 'WX', districts: [5, 6, 7], lat: 50.742, lng: -2.631 },
  { name: 'Sedgebury', area: 'WX', districts: [8, 9, 10], lat: 50.958, lng: -2.097 },
  { name: 'Harrowmere', area: 'WX', districts: [11, 12], lat: 51.212, lng: -2.205 },
  { name: 'Ashcombe', area: 'WX', districts: [13], lat: 50.881, lng: -2.402 },
  { name: 'Fernleigh', area: 'WX', districts: [14], lat: 51.018, lng: -2.751 },
  { name: 'Oakhurst Magna', area: 'WX', districts: [15], lat: 50.823, lng: -2.188 },
  { name: 'Thornwick', area: 'WX', districts: [16, 17], lat: 51.274, lng: -2.437 },
];

const STREET_NAMES = [
  'Church',
  'Mill',
  'Station',
  'High',
  'Orchard',
  'Chapel',
  'Victoria',
  'Albert',
  'Queen\u2019s',
  'King\u2019s',
  'Manor',
  'Park',
  'Meadow',
  'School',
  'Bridge',
  'Riverside',
  'Abbey',
  'Cathedral',
  'Elm',
  'Oak',
  'Beech',
  'Willow',
  'Ash',
  'Hazel',
  'Rowan',
  'Holly',
  'Cedar',
  'Larch',
  'Priory',
  'Market',
  'Castle',
  'Harbour',
  'Quarry',
  'Vicarage',
  'Rectory',
  'Coronation',
  'Jubilee',
  'Tanners',
  'Weavers',
  'Drovers',
  'Saxon',
  'Alfred',
  'Cherry Tree',
  'Kestrel',
  'Heron',
  'Foxglove',
  'Bluebell',
  'Primrose',
  'Sandpit',
  'Watermead',
];
const STREET_TYPES = [
  'Road',
  'Street',
  'Lane',
  'Close',
  'Avenue',
  'Way',
  'Crescent',
  'Gardens',
  'Drive',
  'Place',
  'Terrace',
  'Court',
  'Row',
  'Walk',
  'Mews',
];
const HOUSE_NAMES = [
  'Rose Cottage',
  'The Old Forge',
  'Orchard House',
  'Stable Cottage',
  'The Laurels',
  'Hillside',
  'Meadow View',
  'The Granary',
];
const BLOCK_NAMES = ['Alder', 'Beacon', 'Cobham', 'Dunstan', 'Everett', 'Linden', 'Marlow', 'Wessex'];
const INWARD_LETTERS = [...'ABDEFGHJLNPQRSTUWXYZ'];

export function streetName(random: Random): string {
  return `${random.pick(STREET_NAMES)} ${random.pick(STREET_TYPES)}`;
}

export function postcodeIn(random: Random, town: Town): string {
  const district = random.pick(town.districts);
  return `${town.area}${district} ${random.between(1, 9)}${random.pick(INWARD_LETTERS)}${random.pick(INWARD_LETTERS)}`;
}

/** A fictional address line 1 (and sometimes line 2) in a town. */
export function addressLines(random: Random): { line1: string; line2?: string } {
  const roll = random.next();
  if (roll < 0.12)
    return {
      line1: `Flat ${random.between(1, 40)}, ${random.pick(BLOCK_NAMES)} House`,
      line2: streetName(random),
    };
  if (roll < 0.17) return { line1: random.pick(HOUSE_NAMES), line2: streetName(random) };
  return { line1: `${random.between(1, 180)} ${streetName(random)}` };
}

export type PhoneRange = 'mobile' | 'landline';

/** A number in Ofcom's drama ranges: 07700 900xxx (mobile) or 01632 960xxx (landline). */
export function dramaPhone(range: PhoneRange, last3: number): { value: string; normalised: string } {
  const digits = String(last3).padStart(3, '0');
  return range === 'mobile'
    ? { value: `07700 900${digits}`, normalised: `+447700900${digits}` }
    : { value: `01632 960${digits}`, normalised: `+441632960${digits}` };
}

/** A name as a lower-case ASCII email local part: "Zoë O'Brien" → "zoe.obrien". */
export function emailLocalPart(...parts: string[]): string {
  return parts
    .map((part) =>
      part
        .replace(/ł/g, 'l')
        .replace(/Ł/g, 'L')
        .normalize('NFD')
        .replace(/[^A-Za-z0-9]/g, '')
        .toLowerCase(),
    )
    .filter(Boolean)
    .join('.');
}

export const ORGANISATION_KINDS = [
  'Community Trust',
  'Residents\u2019 Association',
  'Parish Church',
  'Food Bank',
  'Housing Association',
  'Primary School PTA',
  'Allotment Society',
  'Builders Ltd',
  'Care Home',
  'Scout Group',
  'Cricket Club',
  'Village Hall Committee',
  'Dental Practice',
  'Garden Centre Ltd',
];

export const VULNERABILITY_REASONS = [
  'Recently bereaved: take extra care and time on calls',
  'Lives alone and has early-stage dementia: confirm details in writing',
  'Severe hearing loss: use email or text, not phone calls',
  'Financial hardship: may need help with payment arrangements',
  'Mental health condition: prefers contact in writing, avoid cold calls',
  'Domestic abuse: do not send post to the home address',
  'Partially sighted: needs large print',
  'Recently discharged from hospital',
];

export const COMMUNICATION_NEEDS = [
  'large_print',
  'bsl',
  'easy_read',
  'text_relay',
  'hearing_loop',
  'braille',
];

/** Internal notes staff leave on cases (never shown to residents). */
export const INTERNAL_NOTES = [
  'Called the resident: no answer, left a voicemail.',
  'Checked the records: this matches an earlier contact.',
  'Spoke to the resident and confirmed the details.',
  'Waiting for the contractor to confirm a date.',
  'Discussed with the team leader; agreed next steps.',
  'Evidence checked and uploaded to the case.',
  'Resident asked for updates by email rather than phone.',
  'Passed to the specialist team for advice.',
  'Site visit done; photos added.',
  'Sent the standard letter.',
];

/** Messages staff send to residents (shown on the resident's timeline). */
export const CUSTOMER_MESSAGES = [
  'Thank you for your patience. We are still working on this and will update you soon.',
  'We have looked at your request and need one more thing from you. Please reply to this message.',
  'Good news: this has been booked in. We will let you know when it is done.',
  'Thank you for the extra information. We have added it to your case.',
  'We are sorry this is taking longer than usual. We expect to finish within the next week.',
  'We have written to you with our decision. You can also read it here.',
];

/** What residents write back. */
export const CUSTOMER_REPLIES = [
  'Thank you for letting me know.',
  'I have attached the document you asked for.',
  'Is there any update on this please?',
  'Please could you call me after 10am.',
  'That is great, thank you.',
];

/** What a contact that did not need a case was about. */
export const QUICK_ANSWERS = [
  'Question answered',
  'Gave information and sent a link to the web page',
  'Explained the process and what happens next',
  'Signposted to a partner organisation',
  'Checked the progress of an existing request',
  'Transferred to the service team',
  'Booked a call back',
];
