// Reads schemas/protocol/ into one model both emitters share: every named type (common.json's $defs
// under their own names, each method's params and result as <Method>Params / <Method>Result), with
// every $ref rewritten to point into that one set, and the table of requests and notifications.
import fs from 'node:fs';
import path from 'node:path';

const commonPrefix = 'common.json#/$defs/';
const localPrefix = '#/$defs/';
// Our own files, but a cycle or a runaway nesting must end in an error, not a stack overflow.
const maxDepth = 64;

// "workspace/up" -> "WorkspaceUp", "$/progress" -> "Progress", "window/logMessage" -> "WindowLogMessage".
export function methodTypePrefix(method) {
  return method
    .split(/[/$.]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function capitalize(s) {
  return s[0].toUpperCase() + s.slice(1);
}

// A copy of `node` with its $refs pointing into the merged $defs: common.json's keep their names, a
// file's own ($defs/params, $defs/result) get the file's prefix.
function rewriteRefs(node, prefix, file, depth = 0) {
  if (depth > maxDepth) throw new Error(`${file}: nested deeper than ${maxDepth}`);
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, prefix, file, depth + 1));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (key === '$ref') {
      if (value.startsWith(commonPrefix)) out.$ref = localPrefix + value.slice(commonPrefix.length);
      else if (value.startsWith(localPrefix)) out.$ref = localPrefix + prefix + capitalize(value.slice(localPrefix.length));
      else throw new Error(`${file}: a $ref the generator does not follow: ${value}`);
    } else {
      out[key] = rewriteRefs(value, prefix, file, depth + 1);
    }
  }
  return out;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// The model: { defs: {Name: schema}, sources: {Name: 'file.json'}, requests: [{method, params,
// result, file, description}], notifications: [{method, params, file, description}] }. `params` and
// `result` are schemas (usually a {$ref} into defs). Files are read in name order, so the output is
// the same on every machine.
export function loadProtocol(dir) {
  const defs = {};
  const sources = {};
  const add = (name, schema, file) => {
    if (defs[name]) throw new Error(`${file}: type ${name} is defined twice (also in ${sources[name]})`);
    defs[name] = schema;
    sources[name] = file;
  };
  const common = readJson(path.join(dir, 'common.json'));
  for (const name of Object.keys(common.$defs ?? {})) add(name, rewriteRefs(common.$defs[name], '', 'common.json'), 'common.json');

  const requests = [];
  const notifications = [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'common.json').sort();
  for (const file of files) {
    const schema = readJson(path.join(dir, file));
    const method = schema.title;
    if (typeof method !== 'string' || !method) throw new Error(`${file}: no "title" naming its method`);
    const expected = `${method.replaceAll('/', '.')}.json`;
    if (file !== expected) throw new Error(`${file}: the method ${method} belongs in ${expected}`);
    const prefix = methodTypePrefix(method);
    const own = schema.$defs ?? {};
    for (const key of Object.keys(own)) {
      if (key !== 'params' && key !== 'result') throw new Error(`${file}: $defs.${key}: only params and result are expected`);
    }
    if (!own.params) throw new Error(`${file}: no $defs.params`);
    const entry = { method, file, description: schema.description ?? '' };
    for (const key of ['params', 'result']) {
      if (!own[key]) continue;
      const rewritten = rewriteRefs(own[key], prefix, file);
      // A result that is only a reference (services/jupyter answers a ServiceInfo) is that type, not a
      // copy of it under a second name.
      if (typeof rewritten.$ref === 'string' && Object.keys(rewritten).every((k) => k === '$ref' || k === 'description')) {
        entry[key] = { $ref: rewritten.$ref };
      } else {
        const name = prefix + capitalize(key);
        const about = entry.description ? `: ${entry.description}` : '.';
        const fallback = key === 'params' ? `The params of ${method}${about}` : `What ${method} answers.`;
        add(name, { ...rewritten, description: rewritten.description ?? fallback }, file);
        entry[key] = { $ref: localPrefix + name };
      }
    }
    (own.result ? requests : notifications).push(entry);
  }
  for (const name of Object.keys(defs)) checkRefs(defs[name], defs, sources[name]);
  return { defs, sources, requests, notifications };
}

function checkRefs(node, defs, file, depth = 0) {
  if (depth > maxDepth) throw new Error(`${file}: nested deeper than ${maxDepth}`);
  if (Array.isArray(node)) return node.forEach((n) => checkRefs(n, defs, file, depth + 1));
  if (!node || typeof node !== 'object') return;
  if (typeof node.$ref === 'string' && !defs[refName(node.$ref)]) throw new Error(`${file}: $ref to nothing: ${node.$ref}`);
  for (const v of Object.values(node)) checkRefs(v, defs, file, depth + 1);
}

export function refName(ref) {
  if (!ref.startsWith(localPrefix)) throw new Error(`unexpected $ref ${ref}`);
  return ref.slice(localPrefix.length);
}
