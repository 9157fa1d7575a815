/**
 * The OpenAPI 3.1 description of /api/v1, written by hand so it reads well. `test/api.int.test.ts` checks
 * that every route the app serves under /api/v1 is described here (and nothing else is).
 */
const date = { type: 'string', format: 'date', examples: ['2026-12-07'] } as const;
const nullableDate = { type: ['string', 'null'], format: 'date' } as const;

const person = {
  type: 'object',
  additionalProperties: false,
  description: 'At least one of email or phone, so the council can reply.',
  properties: {
    name: { type: 'string', maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 254 },
    phone: { type: 'string', examples: ['07700 900123'] },
  },
} as const;

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          examples: ['validation', 'unauthorized', 'not_found', 'conflict', 'domain_rule'],
        },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'message'],
            properties: { field: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const errors = {
  '400': {
    description: 'The request body is not valid',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '401': {
    description: 'No token, or the token is unknown or revoked',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '409': {
    description: 'The Idempotency-Key was used before with a different request',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '422': {
    description: 'A rule stops this (for example, a date in the future)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
} as const;

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Send the same key when retrying: the first response is returned again and nothing is created twice (keys are kept per token).',
  schema: { type: 'string', maxLength: 200 },
} as const;

const reference = {
  name: 'reference',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Z2-9]{4}-?[A-Z2-9]{4}$', examples: ['KX7P-3RMD'] },
} as const;

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Frontdoor API',
    version: '1.0.0',
    description:
      'Make complaints and requests for information (FOI, EIR, subject access) on behalf of residents, and follow them. ' +
      'Every deadline is a date (YYYY-MM-DD) meaning "by the end of that day", worked out from the law or code that applies. ' +
      'Authenticate with a bearer token issued by a council administrator.',
  },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
  paths: {
    '/api/v1/articles': {
      get: {
        operationId: 'listArticles',
        summary: 'Published help articles, or a search of them',
        description:
          'Public answers from the knowledge base (no token needed). Without q: every published public article by title, ' +
          'a page at a time. With q: the best matches first, tolerant of typos and other words for the same thing, with a snippet.',
        security: [],
        parameters: [
          { name: 'q', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
          },
          {
            name: 'offset',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 0, default: 0 },
          },
        ],
        responses: {
          '200': {
            description: 'Articles',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['articles'],
                  properties: {
                    articles: { type: 'array', items: { $ref: '#/components/schemas/ArticleSummary' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/api/v1/articles/{slug}': {
      get: {
        operationId: 'getArticle',
        summary: 'One published help article',
        description:
          'The article as Markdown, HTML (GOV.UK classes, sanitised) and plain text. An archived article answers 301 to its replacement; ' +
          'a withdrawn one, or one past its end date, 410.',
        security: [],
        parameters: [
          {
            name: 'slug',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
          },
        ],
        responses: {
          '200': {
            description: 'The article',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Article' } } },
          },
          '301': { description: 'Archived: moved to its replacement (Location header)' },
          '404': {
            description: 'No published public article with this address',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
          '410': {
            description: 'Withdrawn or no longer current',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    },
    '/api/v1/complaints': {
      post: {
        operationId: 'createComplaint',
        summary: 'Make a complaint',
        description:
          'Stage 1 under the Complaint Handling Code: acknowledge within 5 working days of receipt, respond within 10 working days of acknowledging. ' +
          "Children's social care complaints: 10 working days (up to 20). The clocks count from receivedOn.",
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewComplaint' } } },
        },
        responses: {
          '201': {
            description: 'Complaint made',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Complaint' } } },
          },
          ...errors,
        },
      },
    },
    '/api/v1/complaints/{reference}': {
      get: {
        operationId: 'getComplaint',
        summary: 'A complaint by its reference',
        parameters: [reference],
        responses: {
          '200': {
            description: 'The complaint',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Complaint' } } },
          },
          '401': errors['401'],
          '404': {
            description: 'No complaint with this reference for your council',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    },
    '/api/v1/information-requests': {
      post: {
        operationId: 'createInformationRequest',
        summary: 'Make a Freedom of Information, environmental information or subject access request',
        description:
          'FOI and EIR: 20 working days (UK-wide bank holidays excluded). Subject access: one calendar month. The clock counts from receivedOn.',
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewInformationRequest' } } },
        },
        responses: {
          '201': {
            description: 'Request made',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/InformationRequest' } } },
          },
          ...errors,
        },
      },
    },
    '/api/v1/information-requests/{reference}': {
      get: {
        operationId: 'getInformationRequest',
        summary: 'A request for information by its reference',
        parameters: [reference],
        responses: {
          '200': {
            description: 'The request',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/InformationRequest' } } },
          },
          '401': errors['401'],
          '404': {
            description: 'No request with this reference for your council',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        security: [],
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 document',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'A token issued at /staff/admin/api-tokens',
      },
    },
    schemas: {
      Error: error,
      Person: person,
      NewComplaint: {
        type: 'object',
        additionalProperties: false,
        required: ['complainant', 'summary'],
        properties: {
          complainant: { $ref: '#/components/schemas/Person' },
          summary: {
            type: 'string',
            minLength: 1,
            maxLength: 5000,
            description: 'What the complaint is about',
          },
          desiredOutcome: { type: 'string', maxLength: 2000 },
          receivedOn: {
            ...date,
            description: 'When the complaint reached you (default: today). Not in the future.',
          },
          matterDate: {
            ...date,
            description: 'When the matter happened. Complaints are normally accepted within 12 months.',
          },
          relatesTo: {
            type: 'string',
            description: 'Reference of the request the complaint is about (it stays open)',
          },
          workflowType: {
            type: 'string',
            enum: ['corporate', 'childrens_social_care'],
            default: 'corporate',
          },
          reasonableAdjustments: { type: 'string', maxLength: 1000 },
        },
      },
      Complaint: {
        type: 'object',
        required: ['reference', 'status', 'stage', 'receivedOn', 'deadlines', 'stages'],
        properties: {
          reference: { type: 'string', examples: ['KX7P-3RMD'] },
          status: { type: 'string', enum: ['open', 'responded', 'refused', 'closed'] },
          stage: { type: 'integer', enum: [1, 2, 3] },
          workflowType: { type: 'string', enum: ['corporate', 'childrens_social_care'] },
          receivedOn: date,
          matterDate: nullableDate,
          relatesTo: { type: ['string', 'null'] },
          deadlines: {
            type: 'object',
            properties: {
              acknowledgeBy: nullableDate,
              respondBy: date,
              next: { ...nullableDate, description: 'The deadline that matters now (null once answered)' },
            },
          },
          stages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                stage: { type: 'integer' },
                startedOn: date,
                acknowledgeBy: nullableDate,
                acknowledgedOn: nullableDate,
                respondBy: date,
                extensionWorkingDays: { type: ['integer', 'null'] },
                respondedOn: nullableDate,
                decision: { type: ['string', 'null'], enum: ['upheld', 'partly_upheld', 'not_upheld', null] },
                onTime: { type: ['boolean', 'null'] },
              },
            },
          },
          links: { type: 'object', properties: { self: { type: 'string' } } },
        },
      },
      NewInformationRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['regime', 'requester', 'request'],
        properties: {
          regime: { type: 'string', enum: ['foi', 'eir', 'sar'] },
          requester: { $ref: '#/components/schemas/Person' },
          request: { type: 'string', minLength: 1, maxLength: 20000 },
          receivedOn: {
            ...date,
            description: 'When the request reached you (default: today). Not in the future.',
          },
        },
      },
      ArticleSummary: {
        type: 'object',
        required: ['slug', 'title', 'summary', 'links'],
        properties: {
          slug: { type: 'string' },
          title: { type: 'string' },
          summary: { type: 'string' },
          snippet: { type: 'string', description: 'Search only: the words around the match' },
          version: { type: 'integer' },
          updatedAt: { type: ['string', 'null'], format: 'date-time' },
          links: { type: 'object', properties: { self: { type: 'string' }, html: { type: 'string' } } },
        },
      },
      Article: {
        type: 'object',
        required: ['slug', 'title', 'summary', 'body', 'bodyHtml', 'bodyText', 'version', 'updatedAt'],
        properties: {
          slug: { type: 'string' },
          title: { type: 'string' },
          summary: { type: 'string' },
          body: {
            type: 'string',
            description: 'Markdown (headings, paragraphs, lists, links, bold, emphasis)',
          },
          bodyHtml: { type: 'string' },
          bodyText: { type: 'string' },
          keywords: { type: 'array', items: { type: 'string' } },
          version: { type: 'integer' },
          updatedAt: { type: 'string', format: 'date-time' },
          services: {
            type: 'array',
            items: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
          },
          links: { type: 'object', properties: { self: { type: 'string' }, html: { type: 'string' } } },
        },
      },
      InformationRequest: {
        type: 'object',
        required: ['reference', 'regime', 'status', 'receivedOn', 'deadlines'],
        properties: {
          reference: { type: 'string' },
          regime: { type: 'string', enum: ['foi', 'eir', 'sar'] },
          status: {
            type: 'string',
            enum: ['open', 'awaiting_clarification', 'awaiting_identity', 'responded', 'withdrawn'],
          },
          receivedOn: date,
          deadlines: {
            type: 'object',
            properties: {
              dueOn: {
                ...nullableDate,
                description: 'null while the clock is stopped (waiting for the requester)',
              },
              standardDueOn: nullableDate,
              extensionNoticeBy: {
                ...nullableDate,
                description: 'EIR and SAR: last day an extension can be notified',
              },
              publicInterestTarget: nullableDate,
              internalReviewDueOn: nullableDate,
            },
          },
          clockStopped: { type: ['string', 'null'], enum: ['clarification', 'identity', null] },
          extended: { type: 'boolean' },
          respondedOn: nullableDate,
          outcome: { type: ['string', 'null'] },
          onTime: { type: ['boolean', 'null'] },
          links: { type: 'object', properties: { self: { type: 'string' } } },
        },
      },
    },
  },
} as const;
