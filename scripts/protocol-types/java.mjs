// The Java types for the PyCharm client: one record per named object type (a file each), records
// nested in them for the objects they hold inline, sealed interfaces for unions told apart by a
// constant property, and Methods: every request and notification with its types. Plain Jackson
// annotations, so Debian's libjackson2-databind-java reads and writes them.
//
// The mapping, as simple as the schemas allow:
//   string / enum of strings / const -> String          integer -> int when its bounds fit, else long
//   number -> double    boolean -> boolean              array -> List<T>
//   object with properties -> a record                  object with a schema for additionalProperties -> Map<String, T>
//   any other object, mixed types, unions without a discriminator, {} -> JsonNode
//   [T, "null"] or oneOf [T, {type: null}] -> T, nullable
// A required property that cannot be null is a primitive where Java has one; an optional one is
// boxed, and null means absent (records are written with NON_NULL). Unknown properties are ignored
// when reading, so a newer server still talks to an older plugin.
import { refName } from './schemas.mjs';

const keywords = new Set(
  ('abstract assert boolean break byte case catch char class const continue default do double else enum extends final ' +
    'finally float for goto if implements import instanceof int interface long native new package private protected ' +
    'public return short static strictfp super switch synchronized this throw throws transient try void volatile while ' +
    'record sealed permits var yield true false null ' +
    // Object's methods, which a record component may not be named after.
    'clone finalize getClass hashCode notify notifyAll toString wait').split(' '),
);
const boxes = { int: 'Integer', long: 'Long', double: 'Double', boolean: 'Boolean' };
const maxDepth = 64;

const capitalize = (s) => s[0].toUpperCase() + s.slice(1);

function identifier(name, where) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${where}: "${name}" cannot be a Java name`);
  return keywords.has(name) ? `${name}_` : name;
}

// The name of an inline type: the property's, capitalized; an array's items: the singular when the
// property is a plain plural (checks -> Check), else <Name>Item.
function itemName(hint) {
  return hint.length > 3 && hint.endsWith('s') && !hint.endsWith('ss') ? hint.slice(0, -1) : `${hint}Item`;
}

// Text for a Javadoc comment: nothing in it may end the comment or start a unicode escape.
function doc(text) {
  return String(text).replaceAll('*/', '*&#47;').replaceAll('\\', '&#92;').replaceAll('@', '&#64;').trim();
}

function javadoc(indent, lines) {
  const body = lines.filter((l) => l !== undefined && l !== '');
  if (!body.length) return [];
  if (body.length === 1 && !body[0].includes('\n')) return [`${indent}/** ${body[0]} */`];
  return [`${indent}/**`, ...body.flatMap((l) => l.split('\n')).map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

function isObjectSchema(s) {
  return (s.type === 'object' || s.type === undefined) && s.properties && Object.keys(s.properties).length > 0;
}

// The property every branch holds as a constant ("kind": "begin" | "report" | "end"), or undefined.
function discriminator(branches) {
  if (branches.length < 2 || !branches.every(isObjectSchema)) return undefined;
  const first = branches[0];
  for (const key of Object.keys(first.properties)) {
    const consts = branches.map((b) => b.properties[key]?.const);
    if (consts.every((c) => typeof c === 'string') && new Set(consts).size === branches.length) {
      if (branches.every((b) => (b.required ?? []).includes(key))) return key;
    }
  }
  return undefined;
}

function enumDoc(s) {
  if (Array.isArray(s.enum)) return `One of: ${s.enum.map((v) => (v === '' ? '"" (empty)' : String(v))).join(', ')}.`;
  if (s.const !== undefined) return `Always ${JSON.stringify(s.const)}.`;
  return '';
}

const sentence = (text) => (text && !/[.!?:]$/.test(text) ? `${text}.` : text);

// The names of the types a client sends (reachable from some params): they get builders.
function sentTypes(model) {
  const seen = new Set();
  const walk = (node, depth) => {
    if (depth > maxDepth || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    if (typeof node.$ref === 'string') {
      const name = refName(node.$ref);
      if (!seen.has(name)) {
        seen.add(name);
        walk(model.defs[name], depth + 1);
      }
    }
    for (const v of Object.values(node)) walk(v, depth + 1);
  };
  for (const m of [...model.requests, ...model.notifications]) walk(m.params, 0);
  return seen;
}

export class JavaEmitter {
  constructor(model, pkg) {
    this.model = model;
    this.pkg = pkg;
    this.kinds = {};
    this.sent = sentTypes(model);
    for (const [name, s] of Object.entries(model.defs)) {
      const union = s.oneOf ?? s.anyOf;
      this.kinds[name] = isObjectSchema(s) ? 'record' : union && discriminator(union) ? 'union' : 'inline';
    }
  }

  // { files: {'Name.java': text} }
  emit(header) {
    const files = {};
    for (const [name, s] of Object.entries(this.model.defs)) {
      if (this.kinds[name] === 'inline') continue;
      identifier(name, this.model.sources[name]);
      const file = new FileContext(name, this.model.sources[name], this.sent.has(name));
      const lines = this.kinds[name] === 'record'
        ? this.record(name, s, '', file, [name])
        : this.union(name, s, s.oneOf ?? s.anyOf, '', file, [name]);
      files[`${name}.java`] = file.render(header, this.pkg, lines);
    }
    files['Methods.java'] = this.methods(header);
    files['RequestType.java'] = typeRecordFile(header, this.pkg, 'RequestType<P, R>', 'result', 'R',
      'A request of the protocol: its method name, and the type of its params (P) and of what it answers (R).');
    files['NotificationType.java'] = typeRecordFile(header, this.pkg, 'NotificationType<P>', 'params', 'P',
      'A notification of the protocol: its method name and the type of its params.');
    return files;
  }

  // The Java type of a schema: {type, boxed}. Inline records and unions are added to `nested`.
  typeOf(s, hint, ctx, depth) {
    if (depth > maxDepth) throw new Error(`${ctx.file.source}: nested deeper than ${maxDepth}`);
    const plain = (t) => ({ type: t, boxed: t });
    const prim = (t) => ({ type: t, boxed: boxes[t] });
    if (s.$ref) {
      const name = refName(s.$ref);
      if (this.kinds[name] !== 'inline') return plain(name);
      return this.typeOf(this.model.defs[name], hint, { ...ctx, inlineDef: name }, depth + 1);
    }
    if (s.const !== undefined) return this.scalar(typeof s.const === 'string' ? 'string' : Number.isInteger(s.const) ? 'integer' : typeof s.const, s);
    if (Array.isArray(s.enum)) {
      if (s.enum.every((v) => typeof v === 'string')) return plain('String');
      if (s.enum.every((v) => Number.isInteger(v))) {
        return this.scalar('integer', { minimum: Math.min(...s.enum), maximum: Math.max(...s.enum) });
      }
      return this.json(ctx);
    }
    const union = s.oneOf ?? s.anyOf;
    if (union) {
      const nonNull = union.filter((b) => b.type !== 'null');
      if (nonNull.length === 1 && union.length === 2) return { ...this.typeOf(nonNull[0], hint, ctx, depth + 1), nullable: true };
      if (discriminator(union)) {
        if (ctx.inlineDef) throw new Error(`${ctx.file.source}: give the union in ${ctx.inlineDef} a record of its own`);
        const name = this.nestedName(hint, ctx);
        ctx.nested.push('', ...this.union(name, s, union, ctx.indent, ctx.file, [...ctx.enclosing, name]));
        return plain(name);
      }
      return this.json(ctx);
    }
    if (Array.isArray(s.type)) {
      const types = s.type.filter((t) => t !== 'null');
      const nullable = types.length < s.type.length;
      if (types.length === 1) {
        const t = this.typeOf({ ...s, type: types[0] }, hint, ctx, depth + 1);
        return nullable ? { type: t.boxed, boxed: t.boxed, nullable } : t;
      }
      return { ...this.json(ctx), nullable };
    }
    switch (s.type) {
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return this.scalar(s.type, s);
      case 'null':
        return plain('Void');
      case 'array': {
        const item = s.items ? this.typeOf(s.items, itemName(hint), ctx, depth + 1) : this.json(ctx);
        ctx.file.imports.add('java.util.List');
        return plain(`List<${item.boxed}>`);
      }
      case 'object':
      case undefined:
        if (isObjectSchema(s)) {
          if (ctx.inlineDef) throw new Error(`${ctx.file.source}: give the object in ${ctx.inlineDef} a record of its own`);
          const name = this.nestedName(hint, ctx);
          ctx.nested.push('', ...this.record(name, s, ctx.indent, ctx.file, [...ctx.enclosing, name]));
          return plain(name);
        }
        if (s.additionalProperties && typeof s.additionalProperties === 'object') {
          const value = this.typeOf(s.additionalProperties, `${hint}Value`, ctx, depth + 1);
          ctx.file.imports.add('java.util.Map');
          return plain(`Map<String, ${value.boxed}>`);
        }
        return this.json(ctx);
      default:
        throw new Error(`${ctx.file.source}: a type the generator does not know: ${JSON.stringify(s.type)}`);
    }
  }

  scalar(type, s) {
    if (type === 'string') return { type: 'String', boxed: 'String' };
    if (type === 'boolean') return { type: 'boolean', boxed: 'Boolean' };
    if (type === 'number') return { type: 'double', boxed: 'Double' };
    const fits = typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum >= -(2 ** 31) && s.maximum < 2 ** 31;
    return fits ? { type: 'int', boxed: 'Integer' } : { type: 'long', boxed: 'Long' };
  }

  json(ctx) {
    ctx.file.imports.add('com.fasterxml.jackson.databind.JsonNode');
    return { type: 'JsonNode', boxed: 'JsonNode' };
  }

  nestedName(hint, ctx) {
    const name = identifier(capitalize(hint), ctx.file.source);
    if (ctx.enclosing.includes(name) || ctx.file.nestedNames.has(name) || (this.kinds[name] && this.kinds[name] !== 'inline')) {
      throw new Error(`${ctx.file.source}: two types would be called ${name} in ${ctx.enclosing.join('.')}; rename a property`);
    }
    ctx.file.nestedNames.add(name);
    return name;
  }

  components(s, ctx) {
    const required = new Set(s.required ?? []);
    return Object.entries(s.properties).map(([wire, prop]) => {
      const name = identifier(wire, ctx.file.source);
      const t = this.typeOf(prop, wire, ctx, 0);
      const isRequired = required.has(wire) && !t.nullable;
      const type = isRequired ? t.type : t.boxed;
      const words = [sentence(prop.description ? doc(prop.description) : ''), enumDoc(prop), isRequired ? '' : 'Optional.'];
      // A constant string is filled in by of(), not asked for.
      const constant = typeof prop.const === 'string' ? JSON.stringify(prop.const) : undefined;
      return { wire, name, type, required: isRequired, constant, doc: words.filter(Boolean).join(' ') };
    });
  }

  record(name, s, indent, file, enclosing, implementsName) {
    const inner = `${indent}  `;
    const nested = [];
    const ctx = { file, nested, indent: inner, enclosing };
    const comps = this.components(s, ctx);
    file.imports.add('com.fasterxml.jackson.annotation.JsonIgnoreProperties');
    file.imports.add('com.fasterxml.jackson.annotation.JsonInclude');
    file.imports.add('com.fasterxml.jackson.annotation.JsonProperty');
    const open = s.additionalProperties !== false
      ? 'The schema allows other properties too; this record keeps the ones it names.' : '';
    const lines = javadoc(indent, [
      s.description ? doc(s.description) : '',
      open,
      ...comps.filter((c) => c.doc).map((c) => `@param ${c.name} ${c.doc}`),
    ]);
    lines.push(`${indent}@JsonIgnoreProperties(ignoreUnknown = true)`, `${indent}@JsonInclude(JsonInclude.Include.NON_NULL)`);
    const head = `${indent}public record ${name}(`;
    const tail = `)${implementsName ? ` implements ${implementsName}` : ''} {`;
    lines.push(head);
    comps.forEach((c, i) => lines.push(`${inner}  @JsonProperty("${c.wire}") ${c.type} ${c.name}${i + 1 < comps.length ? ',' : ''}`));
    const body = [...(file.builders ? this.builders(name, comps, inner) : []), ...nested];
    if (!body.length) {
      lines.push(`${indent}${tail}}`);
      return lines;
    }
    lines.push(`${indent}${tail}`, ...body.slice(body[0] === '' ? 1 : 0), `${indent}}`);
    return lines;
  }

  // of(required...) and a with<Name>(value) per optional component: params are built without
  // spelling out every absent field, and stay source-compatible when the schema gains one.
  builders(name, comps, indent) {
    const optional = comps.filter((c) => !c.required);
    if (!optional.length) return [];
    const required = comps.filter((c) => c.required && c.constant === undefined);
    const all = (replace) => comps.map((c) => (c === replace ? 'value' : c.name)).join(', ');
    const lines = [
      `${indent}/** The required components; the optional ones absent. */`,
      `${indent}public static ${name} of(${required.map((c) => `${c.type} ${c.name}`).join(', ')}) {`,
      `${indent}  return new ${name}(${comps.map((c) => c.constant ?? (c.required ? c.name : 'null')).join(', ')});`,
      `${indent}}`,
    ];
    for (const c of optional) {
      lines.push(
        '',
        `${indent}/** A copy with {@code ${c.wire}} set. */`,
        `${indent}public ${name} with${capitalize(c.wire)}(${c.type} value) {`,
        `${indent}  return new ${name}(${all(c)});`,
        `${indent}}`,
      );
    }
    return lines;
  }

  union(name, s, branches, indent, file, enclosing) {
    const key = discriminator(branches);
    file.imports.add('com.fasterxml.jackson.annotation.JsonSubTypes');
    file.imports.add('com.fasterxml.jackson.annotation.JsonTypeInfo');
    const inner = `${indent}  `;
    const branchNames = branches.map((b) => identifier(capitalize(b.properties[key].const), file.source));
    const lines = javadoc(indent, [s.description ? doc(s.description) : '', `One of its records, told apart by {@code ${key}}.`]);
    lines.push(
      `${indent}@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "${key}", visible = true)`,
      `${indent}@JsonSubTypes({`,
      ...branches.map((b, i) =>
        `${inner}  @JsonSubTypes.Type(value = ${name}.${branchNames[i]}.class, name = "${b.properties[key].const}")${i + 1 < branches.length ? ',' : ''}`),
      `${indent}})`,
      `${indent}public sealed interface ${name} permits ${branchNames.map((b) => `${name}.${b}`).join(', ')} {`,
      `${inner}/** The constant that says which record this is. */`,
      `${inner}String ${identifier(key, file.source)}();`,
    );
    branches.forEach((b, i) => {
      lines.push('');
      lines.push(...this.record(branchNames[i], b, inner, file, [...enclosing, branchNames[i]], name));
    });
    lines.push(`${indent}}`);
    return lines;
  }

  methods(header) {
    const file = new FileContext('Methods', 'schemas/protocol/*.json');
    file.imports.add('com.fasterxml.jackson.core.type.TypeReference');
    const constant = (method) => method.split(/[/$.]/).filter(Boolean).map((w) => w.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
    const typeName = (s, hint) => this.typeOf(s, hint, { file, nested: [], indent: '  ', enclosing: ['Methods'] }, 0).boxed;
    const lines = ['/** Every request and notification of the protocol, with the types of its params and result. */', 'public final class Methods {', '  private Methods() {}'];
    for (const r of this.model.requests) {
      const p = typeName(r.params, 'params');
      const res = typeName(r.result, 'result');
      lines.push('', ...javadoc('  ', [`{@code ${r.method}}: ${doc(r.description)}`]));
      lines.push(`  public static final RequestType<${p}, ${res}> ${constant(r.method)} =`);
      lines.push(`      new RequestType<>("${r.method}", new TypeReference<${res}>() {});`);
    }
    for (const n of this.model.notifications) {
      const p = typeName(n.params, 'params');
      lines.push('', ...javadoc('  ', [`{@code ${n.method}}: ${doc(n.description)}`]));
      lines.push(`  public static final NotificationType<${p}> ${constant(n.method)} =`);
      lines.push(`      new NotificationType<>("${n.method}", new TypeReference<${p}>() {});`);
    }
    lines.push('}');
    return file.render(header, this.pkg, lines);
  }
}

class FileContext {
  constructor(name, source, builders = false) {
    this.name = name;
    this.builders = builders;
    this.source = source;
    this.imports = new Set();
    this.nestedNames = new Set();
  }

  render(header, pkg, lines) {
    const imports = [...this.imports].sort();
    return [
      header.replace('%SOURCE%', this.source),
      `package ${pkg};`,
      '',
      ...(imports.length ? [...imports.map((i) => `import ${i};`), ''] : []),
      ...lines,
      '',
    ].join('\n');
  }
}

function typeRecordFile(header, pkg, decl, field, typeVar, description) {
  return [
    header.replace('%SOURCE%', 'the generator itself'),
    `package ${pkg};`,
    '',
    'import com.fasterxml.jackson.core.type.TypeReference;',
    '',
    `/** ${description} */`,
    `public record ${decl}(String method, TypeReference<${typeVar}> ${field}) {}`,
    '',
  ].join('\n');
}
