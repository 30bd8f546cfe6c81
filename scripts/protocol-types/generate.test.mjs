// The generator on a small protocol of its own that uses every construct it maps (a $ref into
// common.json, enums, const, oneOf with null, a discriminated anyOf, a map, required vs optional,
// nullable types), and the schema mistakes it must refuse. The Java it writes is compiled with javac
// and Debian's Jackson; under CI=true a missing javac fails the test rather than skipping it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { JavaEmitter } from './java.mjs';
import { loadProtocol } from './schemas.mjs';
import { typescriptTypes } from './typescript.mjs';

const roots = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function protocolDir(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-protocol-types-'));
  roots.push(dir);
  for (const [name, schema] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(schema));
  return dir;
}

const common = {
  $defs: {
    Path: { type: 'string', pattern: '^/' },
    Token: { type: ['string', 'integer'] },
    Port: {
      type: 'object',
      properties: { number: { type: 'integer', minimum: 0, maximum: 65535 }, proto: { enum: ['tcp', 'udp'] } },
      required: ['number', 'proto'],
      additionalProperties: false,
    },
  },
};

const thing = {
  title: 'thing/get',
  description: 'Gets a thing.',
  $defs: {
    params: {
      type: 'object',
      properties: {
        workspace: { $ref: 'common.json#/$defs/Path', description: 'where' },
        token: { $ref: 'common.json#/$defs/Token' },
        wait: { type: 'boolean' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['workspace'],
      additionalProperties: false,
    },
    result: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        ports: { type: 'array', items: { $ref: 'common.json#/$defs/Port' } },
        parent: { type: ['integer', 'null'] },
        owner: { oneOf: [{ type: 'string' }, { type: 'null' }] },
        checks: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, ok: { type: 'boolean' } }, required: ['id'] },
        },
        step: {
          anyOf: [
            { type: 'object', properties: { kind: { const: 'start' }, title: { type: 'string' } }, required: ['kind', 'title'] },
            { type: 'object', properties: { kind: { const: 'stop' } }, required: ['kind'] },
          ],
        },
        kind: { const: 'thing' },
      },
      required: ['count', 'ports', 'parent', 'checks', 'kind'],
      additionalProperties: false,
    },
  },
};

const ping = { title: '$/ping', $defs: { params: { type: ['object', 'null'] } } };

test('TypeScript: named types, optional fields, unions, maps, nullable, and the method maps', async () => {
  const model = loadProtocol(protocolDir({ 'common.json': common, 'thing.get.json': thing, '$.ping.json': ping }));
  const ts = await typescriptTypes(model, '// header\n');
  assert.match(ts, /^\/\/ header/);
  assert.match(ts, /export interface ThingGetParams \{/);
  // A $ref with a description of its own is the referenced type, inlined with that description.
  assert.match(ts, /\* where\s*\*\/\s*workspace: string;/);
  assert.match(ts, /export type Path = string;/);
  assert.match(ts, /wait\?: boolean;/);
  assert.match(ts, /labels\?: \{\s*\[k: string\]: string;\s*\};/);
  assert.match(ts, /export type Token = string \| number;/);
  assert.match(ts, /proto: 'tcp' \| 'udp';/);
  assert.match(ts, /parent: number \| null;/);
  assert.match(ts, /owner\?: string \| null;/);
  assert.match(ts, /kind: 'start';/);
  assert.match(ts, /'thing\/get': \{\s*params: ThingGetParams;\s*result: ThingGetResult;\s*\};/);
  assert.match(ts, /export interface Notifications \{\s*'\$\/ping': PingParams;\s*\}/);
  // An object without additionalProperties: false takes other properties, as JSON Schema says.
  assert.match(ts, /ok\?: boolean;\s*\[k: string\]: unknown;/);
});

function javaFiles(model) {
  return new JavaEmitter(model, 'dev.dlcontainer.test').emit('// %SOURCE%');
}

test('Java: records with primitives for required fields, boxes for optional and nullable ones', () => {
  const files = javaFiles(loadProtocol(protocolDir({ 'common.json': common, 'thing.get.json': thing, '$.ping.json': ping })));
  assert.deepEqual(Object.keys(files).sort(), [
    'Methods.java', 'NotificationType.java', 'Port.java', 'RequestType.java', 'ThingGetParams.java', 'ThingGetResult.java',
  ]);
  const result = files['ThingGetResult.java'];
  assert.match(result, /@JsonProperty\("count"\) long count,/);
  assert.match(result, /@JsonProperty\("ports"\) List<Port> ports,/);
  assert.match(result, /@JsonProperty\("parent"\) Long parent,/);
  assert.match(result, /@JsonProperty\("owner"\) String owner,/);
  assert.match(result, /@JsonProperty\("checks"\) List<Check> checks,/);
  assert.match(result, /public record Check\(\s*@JsonProperty\("id"\) String id,\s*@JsonProperty\("ok"\) Boolean ok\s*\)/);
  assert.match(result, /property = "kind", visible = true\)/);
  assert.match(result, /public sealed interface Step permits Step\.Start, Step\.Stop \{/);
  assert.match(result, /public record Start\(\s*@JsonProperty\("kind"\) String kind,\s*@JsonProperty\("title"\) String title\s*\) implements Step/);
  // Results are read, not built: no builders.
  assert.doesNotMatch(result, /public static ThingGetResult of\(/);
  const port = files['Port.java'];
  assert.match(port, /@JsonProperty\("number"\) int number,/, 'bounds that fit make an int');
  assert.match(port, /@param proto One of: tcp, udp\./);
  const params = files['ThingGetParams.java'];
  // `wait` cannot name a record component (Object.wait): the wire name stays, the Java name changes.
  assert.match(params, /@JsonProperty\("wait"\) Boolean wait_,/);
  assert.match(params, /@JsonProperty\("token"\) JsonNode token,/);
  assert.match(params, /@JsonProperty\("labels"\) Map<String, String> labels/);
  assert.match(params, /public static ThingGetParams of\(String workspace\) \{/);
  assert.match(params, /public ThingGetParams withWait\(Boolean value\) \{/);
  const methods = files['Methods.java'];
  assert.match(methods, /RequestType<ThingGetParams, ThingGetResult> THING_GET =\s*new RequestType<>\("thing\/get"/);
  assert.match(methods, /NotificationType<JsonNode> PING =/);
});

function javac(files) {
  const jars = ['jackson-databind', 'jackson-core', 'jackson-annotations'].map((j) => `/usr/share/java/${j}.jar`);
  const have = spawnSync('javac', ['-version']).status === 0 && jars.every((j) => fs.existsSync(j));
  if (!have) {
    if (process.env.CI === 'true') assert.fail('CI=true and no javac with Jackson (apt-get install openjdk-17-jdk-headless libjackson2-databind-java)');
    return false;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-protocol-java-'));
  roots.push(dir);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(src, name), text);
  execFileSync('javac', ['-Xlint:all', '-Werror', '--release', '17', '-cp', jars.join(':'), '-d', path.join(dir, 'classes'),
    ...Object.keys(files).map((f) => path.join(src, f))], { stdio: 'pipe' });
  return true;
}

test('Java: what is generated compiles without a warning', (t) => {
  const files = javaFiles(loadProtocol(protocolDir({ 'common.json': common, 'thing.get.json': thing, '$.ping.json': ping })));
  if (!javac(files)) t.skip('no javac with Jackson here');
});

test('the repository\'s own protocol generates and compiles', async (t) => {
  const model = loadProtocol(path.resolve(import.meta.dirname, '../../schemas/protocol'));
  assert.ok(model.requests.some((r) => r.method === 'workspace/up'));
  assert.ok(model.notifications.some((n) => n.method === '$/progress'));
  await typescriptTypes(model, '');
  if (!javac(javaFiles(model))) t.skip('no javac with Jackson here');
});

test('schema mistakes are refused with the file and the reason', () => {
  const load = (files) => () => loadProtocol(protocolDir({ 'common.json': common, ...files }));
  assert.throws(load({ 'thing.json': thing }), /thing\.json: the method thing\/get belongs in thing\.get\.json/);
  const dangling = structuredClone(thing);
  dangling.$defs.params.properties.workspace = { $ref: 'common.json#/$defs/Nowhere' };
  assert.throws(load({ 'thing.get.json': dangling }), /thing\.get\.json: \$ref to nothing: #\/\$defs\/Nowhere/);
  const remote = structuredClone(thing);
  remote.$defs.params.properties.workspace = { $ref: 'https://example.com/x.json' };
  assert.throws(load({ 'thing.get.json': remote }), /a \$ref the generator does not follow/);
  const stray = structuredClone(thing);
  stray.$defs.extra = { type: 'string' };
  assert.throws(load({ 'thing.get.json': stray }), /\$defs\.extra: only params and result are expected/);
  // Two inline types that Java would give one name.
  const clash = structuredClone(thing);
  clash.$defs.result.properties.check = { type: 'object', properties: { x: { type: 'string' } } };
  const model = loadProtocol(protocolDir({ 'common.json': common, 'thing.get.json': clash }));
  assert.throws(() => javaFiles(model), /two types would be called Check/);
});
