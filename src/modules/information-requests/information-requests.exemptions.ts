/**
 * Exemptions and exceptions recorded against a request: FOI Part II (s.21–s.44) plus the s.12 (cost) and
 * s.14 (vexatious or repeated) refusal grounds; EIR regulation 12(4), 12(5) and 13; and the Data
 * Protection Act 2018 exemptions most used for subject access requests.
 */
import type { Regime } from './information-requests.types.ts';

export interface Exemption {
  code: string;
  label: string;
}

export const FOI_EXEMPTIONS: readonly Exemption[] = [
  { code: 's12', label: 's.12 Cost of compliance exceeds the appropriate limit' },
  { code: 's14', label: 's.14 Vexatious or repeated request' },
  { code: 's21', label: 's.21 Information accessible by other means' },
  { code: 's22', label: 's.22 Information intended for future publication' },
  { code: 's22A', label: 's.22A Research' },
  { code: 's23', label: 's.23 Information supplied by, or relating to, security bodies' },
  { code: 's24', label: 's.24 National security' },
  { code: 's26', label: 's.26 Defence' },
  { code: 's27', label: 's.27 International relations' },
  { code: 's28', label: 's.28 Relations within the United Kingdom' },
  { code: 's29', label: 's.29 The economy' },
  { code: 's30', label: 's.30 Investigations and proceedings by public authorities' },
  { code: 's31', label: 's.31 Law enforcement' },
  { code: 's32', label: 's.32 Court records' },
  { code: 's33', label: 's.33 Audit functions' },
  { code: 's34', label: 's.34 Parliamentary privilege' },
  { code: 's35', label: 's.35 Formulation of government policy' },
  { code: 's36', label: 's.36 Prejudice to effective conduct of public affairs' },
  { code: 's37', label: 's.37 Communications with His Majesty and honours' },
  { code: 's38', label: 's.38 Health and safety' },
  { code: 's39', label: 's.39 Environmental information' },
  { code: 's40', label: 's.40 Personal information' },
  { code: 's41', label: 's.41 Information provided in confidence' },
  { code: 's42', label: 's.42 Legal professional privilege' },
  { code: 's43', label: 's.43 Commercial interests' },
  { code: 's44', label: 's.44 Prohibitions on disclosure' },
];

export const EIR_EXCEPTIONS: readonly Exemption[] = [
  { code: 'r12_4_a', label: 'reg 12(4)(a) Information not held' },
  { code: 'r12_4_b', label: 'reg 12(4)(b) Manifestly unreasonable' },
  { code: 'r12_4_c', label: 'reg 12(4)(c) Request formulated in too general a manner' },
  { code: 'r12_4_d', label: 'reg 12(4)(d) Material in the course of completion, unfinished documents' },
  { code: 'r12_4_e', label: 'reg 12(4)(e) Internal communications' },
  {
    code: 'r12_5_a',
    label: 'reg 12(5)(a) International relations, defence, national security or public safety',
  },
  { code: 'r12_5_b', label: 'reg 12(5)(b) The course of justice and inquiries' },
  { code: 'r12_5_c', label: 'reg 12(5)(c) Intellectual property rights' },
  { code: 'r12_5_d', label: 'reg 12(5)(d) Confidentiality of proceedings' },
  { code: 'r12_5_e', label: 'reg 12(5)(e) Confidentiality of commercial or industrial information' },
  { code: 'r12_5_f', label: 'reg 12(5)(f) Interests of the person who provided the information' },
  { code: 'r12_5_g', label: 'reg 12(5)(g) Protection of the environment' },
  { code: 'r13', label: 'reg 13 Personal data' },
];

export const SAR_EXEMPTIONS: readonly Exemption[] = [
  { code: 'third_party', label: 'Information about other people (DPA 2018 Sch 2 para 16)' },
  { code: 'crime', label: 'Crime and taxation (DPA 2018 Sch 2 para 2)' },
  { code: 'legal_privilege', label: 'Legal professional privilege (DPA 2018 Sch 2 para 19)' },
  { code: 'management', label: 'Management forecasts (DPA 2018 Sch 2 para 22)' },
  { code: 'negotiations', label: 'Negotiations with the requester (DPA 2018 Sch 2 para 23)' },
  { code: 'references', label: 'Confidential references (DPA 2018 Sch 2 para 24)' },
  { code: 'social_work', label: 'Serious harm: social work data (DPA 2018 Sch 3 Part 3)' },
  { code: 'health', label: 'Serious harm: health data (DPA 2018 Sch 3 Part 2)' },
  { code: 'manifestly_unfounded', label: 'Manifestly unfounded or excessive (UK GDPR Art 12(5))' },
];

export function exemptionsFor(regime: Regime): readonly Exemption[] {
  switch (regime) {
    case 'foi':
      return FOI_EXEMPTIONS;
    case 'eir':
      return EIR_EXCEPTIONS;
    case 'sar':
      return SAR_EXEMPTIONS;
  }
}

export function exemptionLabel(regime: Regime, code: string): string {
  return exemptionsFor(regime).find((e) => e.code === code)?.label ?? code;
}
