// Validates JSON-RPC messages against schemas/protocol/: the envelope, each request's params, each
// response's result (by the method of the request it answers) and each notification's params. A message
// whose method has no schema is itself an error: every method and notification must be described.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;

export class ProtocolValidator {
  constructor(dir) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    this.byTitle = new Map();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const schema = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      this.ajv.addSchema(schema);
      if (file !== 'common.json') this.byTitle.set(schema.title, schema.$id);
    }
    this.common = 'https://dlcontainer.invalid/protocol/common.json';
    this.pending = new Map(); // request id -> method, per direction
    this.errors = [];
    this.lenient = false;
    this.checked = new Map(); // "direction kind method" -> count
  }

  check(schemaRef, value, what) {
    const validate = this.ajv.getSchema(schemaRef);
    if (!validate) {
      this.errors.push(`${what}: no schema ${schemaRef}`);
      return;
    }
    if (!validate(value)) {
      this.errors.push(`${what}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 400)}`);
    }
  }

  // Sends requests that are wrong on purpose without holding them to the schemas (the answers still are).
  wrongOnPurpose(send) {
    this.lenient = true;
    try {
      return send();
    } finally {
      this.lenient = false;
    }
  }

  count(key) {
    this.checked.set(key, (this.checked.get(key) ?? 0) + 1);
  }

  // direction: 'in' (server to client) or 'out' (client to server).
  validate(message, direction) {
    this.check(`${this.common}#/$defs/Message`, message, `${direction} envelope`);
    const other = direction === 'in' ? 'out' : 'in';
    if ('method' in message) {
      const id = this.byTitle.get(message.method);
      const kind = 'id' in message ? 'request' : 'notification';
      if (kind === 'request') this.pending.set(`${direction} ${JSON.stringify(message.id)}`, message.method);
      // A test may send a request that is wrong on purpose (to see the error): it sets `lenient` around it.
      if (direction === 'out' && this.lenient) return;
      if (!id) {
        this.errors.push(`${direction} ${kind} ${message.method}: no schema in schemas/protocol`);
        return;
      }
      if (message.params !== undefined) this.check(`${id}#/$defs/params`, message.params, `${direction} ${message.method} params`);
      this.count(`${direction} ${kind} ${message.method}`);
      return;
    }
    const key = `${other} ${JSON.stringify(message.id)}`;
    const method = this.pending.get(key);
    if ('error' in message) {
      this.check(`${this.common}#/$defs/ResponseError`, message.error, `${direction} error`);
      this.count(`${direction} error ${method ?? '(no request)'}`);
    } else if (method && this.byTitle.has(method)) {
      this.check(`${this.byTitle.get(method)}#/$defs/result`, message.result, `${direction} ${method} result`);
      this.count(`${direction} result ${method}`);
    } else {
      this.errors.push(`${direction} response to unknown request ${message.id}`);
    }
    this.pending.delete(key);
  }
}

// A validator that throws must not take the connection down with it: it records, the test reports.
let crashes = [];
function safely(see, message) {
  try {
    see(message);
  } catch (e) {
    crashes.push(`${e.message} (on ${JSON.stringify(message).slice(0, 200)})`);
  }
}
export function validatorCrashes() {
  return crashes;
}

// A vscode-jsonrpc MessageReader / MessageWriter that shows every message to `see` on its way.
export function teeReader(inner, see) {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    listen: (callback) => inner.listen((message) => {
      safely(see, message);
      callback(message);
    }),
    dispose: () => inner.dispose(),
  };
}

export function teeWriter(inner, see) {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    write: (message) => {
      safely(see, message);
      return inner.write(message);
    },
    end: () => inner.end(),
    dispose: () => inner.dispose(),
  };
}
