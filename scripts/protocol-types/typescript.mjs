// The TypeScript types, through json-schema-to-typescript: one schema whose properties name every
// type, so each is emitted once under its own name, plus two maps the client is typed with:
// Requests (method -> {params, result}) and Notifications (method -> params).
import { compile } from 'json-schema-to-typescript';

function methodMaps(model) {
  const requests = { type: 'object', additionalProperties: false, properties: {}, required: [] };
  requests.description = 'Every request: its params and what it answers, by method name.';
  for (const r of model.requests) {
    requests.properties[r.method] = {
      type: 'object',
      properties: { params: r.params, result: r.result },
      required: ['params', 'result'],
      additionalProperties: false,
    };
    requests.required.push(r.method);
  }
  const notifications = { type: 'object', additionalProperties: false, properties: {}, required: [] };
  notifications.description = 'Every notification (either direction): its params, by method name.';
  for (const n of model.notifications) {
    notifications.properties[n.method] = n.params;
    notifications.required.push(n.method);
  }
  return { Requests: requests, Notifications: notifications };
}

export async function typescriptTypes(model, header) {
  const defs = { ...model.defs, ...methodMaps(model) };
  const names = Object.keys(defs);
  for (const taken of ['Requests', 'Notifications']) {
    if (model.defs[taken]) throw new Error(`common.json defines ${taken}, a name the generator uses for its method maps`);
  }
  const root = {
    title: 'ProtocolTypes',
    description: 'Every named type of the protocol.',
    type: 'object',
    properties: Object.fromEntries(names.map((n) => [n, { $ref: `#/$defs/${n}` }])),
    required: names,
    additionalProperties: false,
    $defs: defs,
  };
  const text = await compile(root, 'ProtocolTypes', {
    bannerComment: header,
    // Absent additionalProperties means "allowed", as in JSON Schema: an index signature.
    additionalProperties: true,
    unknownAny: true,
    strictIndexSignatures: false,
    declareExternallyReferenced: true,
    enableConstEnums: false,
    format: true,
    style: { bracketSpacing: true, printWidth: 120, semi: true, singleQuote: true, tabWidth: 2, trailingComma: 'all', useTabs: false },
  });
  // The library renames a type when two would clash; the client is written against these names.
  for (const n of names) {
    if (!new RegExp(`^export (interface|type) ${n.replace('$', '\\$')}\\b`, 'm').test(text)) {
      throw new Error(`json-schema-to-typescript did not emit the type ${n} under that name`);
    }
  }
  return text;
}
