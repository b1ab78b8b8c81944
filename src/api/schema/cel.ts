// The CRD's x-kubernetes-validations rules, evaluated with @bufbuild/cel the way apiextensions' CEL
// validator evaluates them: at every node that carries rules, with `self` (and `oldSelf` for transition
// rules, only when an old value correlates), reporting at the node's path plus the rule's fieldPath.
import { celEnv, type CelEnv, celList, celMap, type CelValue, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { type ErrorType, fieldError, OMIT, type TypedError } from './errors.ts';
import { bracketedPath, extend, type Step, type Trail, trailOf } from './paths.ts';
import { childOf, deepEqual, isObject, type SchemaNode, type ValidationRule } from './node.ts';

type Program = (bindings: Record<string, unknown>) => unknown;

interface CompiledRule {
  source: ValidationRule;
  program: Program;
  messageProgram?: Program;
  /** The rule's fieldPath in field.Path spelling, e.g. `pytorchReplicaSpecs[Master].replicas`. */
  fieldPath: string;
  transition: boolean;
}

export interface CelResult {
  errors: TypedError[];
  /** Failures of unchanged values on update, which the API server ratchets into warnings. */
  warnings: string[];
}

const REASONS: Record<NonNullable<ValidationRule['reason']>, ErrorType> = {
  FieldValueRequired: 'Required',
  FieldValueForbidden: 'Forbidden',
  FieldValueInvalid: 'Invalid',
  FieldValueDuplicate: 'Duplicate',
};

let env: CelEnv | undefined;
const compiledRules = new WeakMap<SchemaNode, CompiledRule[]>();
const ruleBearing = new WeakMap<SchemaNode, boolean>();

/**
 * `matches` with JavaScript regular expressions, compiled once per pattern: the RE2 engine bundled with
 * @bufbuild/cel is several times slower, and the patterns of these CRDs mean the same in both dialects.
 */
const jsRegExp = {
  compile(pattern: string) {
    let compiled = patterns.get(pattern);
    if (!compiled) patterns.set(pattern, (compiled = new RegExp(pattern, 'u')));
    return { test: (text: string) => compiled.test(text) };
  },
};
const patterns = new Map<string, RegExp>();

function compile(expression: string): Program {
  const program = plan((env ??= celEnv({ funcs: strings, re2: jsRegExp })), parse(expression));
  return program as unknown as Program;
}

/** Resolves a rule's fieldPath against the schema like apiextensions' ValidFieldPath. */
function normalizeFieldPath(fieldPath: string | undefined, schema: SchemaNode): string {
  if (!fieldPath) return '';
  const steps: Step[] = [];
  let node: SchemaNode | undefined = schema;
  for (const [, dotted, quoted] of fieldPath.matchAll(/\.([^.[]+)|\['((?:[^'\\]|\\.)*)'\]/g)) {
    const name = dotted ?? quoted.replace(/\\(.)/g, '$1');
    const child = childOf(node, name);
    if (!child) throw new Error(`fieldPath ${fieldPath} does not refer to a field of the schema`);
    steps.push(child.step);
    node = child.schema;
  }
  return bracketedPath(trailOf(steps));
}

function rulesOf(schema: SchemaNode): CompiledRule[] {
  let compiled = compiledRules.get(schema);
  if (!compiled) {
    compiled = (schema['x-kubernetes-validations'] ?? []).map((source) => ({
      source,
      program: compile(source.rule),
      messageProgram: source.messageExpression ? compile(source.messageExpression) : undefined,
      fieldPath: normalizeFieldPath(source.fieldPath, schema),
      transition: /\boldSelf\b/.test(source.rule),
    }));
    compiledRules.set(schema, compiled);
  }
  return compiled;
}

/** Whether rules sit at or below `schema`: subtrees without any are not walked. */
function bearsRules(schema: SchemaNode | undefined): boolean {
  if (!schema) return false;
  let result = ruleBearing.get(schema);
  if (result === undefined) {
    ruleBearing.set(schema, false);
    const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    result =
      !!schema['x-kubernetes-validations']?.length ||
      bearsRules(schema.items) ||
      bearsRules(values) ||
      Object.values(schema.properties ?? {}).some(bearsRules);
    ruleBearing.set(schema, result);
  }
  return result;
}

/**
 * JSON → CEL values as Kubernetes types them: integer fields (and int-or-string numbers) are CEL ints.
 * Objects become CEL maps once per validation, since nested rules see the same subtrees again.
 */
class CelValues {
  private readonly memo = new WeakMap<object, unknown>();

  of(value: unknown, schema: SchemaNode | undefined): unknown {
    if (typeof value === 'number') return isIntegral(value, schema) ? BigInt(value) : value;
    if (value === null || typeof value !== 'object') return value;
    let converted = this.memo.get(value);
    if (converted === undefined) {
      converted = Array.isArray(value)
        ? celList(value.map((item) => this.of(item, schema?.items)) as CelValue[])
        : celMap(
            new Map(
              Object.entries(value).map(([k, v]) => [k, this.of(v, childOf(schema, k)?.schema) as CelValue]),
            ),
          );
      this.memo.set(value, converted);
    }
    return converted;
  }
}

function isIntegral(value: number, schema: SchemaNode | undefined): boolean {
  const integral = schema?.type === 'integer' || !!schema?.['x-kubernetes-int-or-string'];
  return integral && Number.isSafeInteger(value);
}

/** The nearest node whose old value correlates: what the API server compares to ratchet an error. */
interface Anchor {
  value: unknown;
  old: unknown;
}

class Walker {
  readonly errors: TypedError[] = [];
  readonly warnings: string[] = [];
  private readonly values = new CelValues();

  constructor(private readonly updating: boolean) {}

  walk(
    value: unknown,
    old: unknown,
    schema: SchemaNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    if (value === null || value === undefined || !bearsRules(schema)) return;
    const here = old === undefined ? anchor : { value, old };
    for (const rule of rulesOf(schema)) this.evaluate(rule, value, old, schema, trail, here);
    if (Array.isArray(value)) this.walkList(value, old, schema, trail, here);
    else if (isObject(value)) this.walkObject(value, old, schema, trail, here);
  }

  private walkObject(
    value: Record<string, unknown>,
    old: unknown,
    schema: SchemaNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    for (const [key, child] of Object.entries(value)) {
      const known = childOf(schema, key);
      const oldChild = isObject(old) ? old[key] : undefined;
      if (known) this.walk(child, oldChild ?? undefined, known.schema, extend(trail, known.step), anchor);
    }
  }

  private walkList(
    value: unknown[],
    old: unknown,
    schema: SchemaNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    const items = schema.items;
    if (!items) return;
    value.forEach((item, index) => {
      const oldItem = Array.isArray(old) ? correlatedItem(item, old, schema) : undefined;
      this.walk(item, oldItem, items, extend(trail, { index }), anchor);
    });
  }

  private evaluate(
    rule: CompiledRule,
    value: unknown,
    old: unknown,
    schema: SchemaNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    if (rule.transition && old === undefined) return;
    const bindings: Record<string, unknown> = { self: this.values.of(value, schema) };
    if (rule.transition) bindings.oldSelf = this.values.of(old, schema);
    const result = rule.program(bindings);
    if (result === true) return;
    const path = bracketedPath(trail);
    const shown = schema.type === 'object' || schema.type === 'array' ? OMIT : value;
    if (isCelError(result)) {
      const detail = `${result.message} evaluating rule: ${rule.source.rule.trim()}`;
      this.errors.push(fieldError('Invalid', path, shown, detail));
      return;
    }
    const at = rule.fieldPath ? (path ? `${path}.${rule.fieldPath}` : rule.fieldPath) : path;
    const type = REASONS[rule.source.reason ?? 'FieldValueInvalid'];
    const error = fieldError(type, at, type === 'Duplicate' ? value : shown, this.message(rule, bindings));
    if (!rule.transition && this.updating && anchor && deepEqual(anchor.value, anchor.old)) {
      this.warnings.push(`${error.path}: ${error.message}`);
    } else {
      this.errors.push(error);
    }
  }

  private message(rule: CompiledRule, bindings: Record<string, unknown>): string {
    const evaluated = rule.messageProgram?.(bindings);
    if (typeof evaluated === 'string' && evaluated.trim() !== '') return evaluated;
    return rule.source.message || `failed rule: ${rule.source.rule.trim()}`;
  }
}

/** The old item an updated list item is compared with: by keys in a map list, by value in a set. */
function correlatedItem(item: unknown, old: unknown[], schema: SchemaNode): unknown {
  switch (schema['x-kubernetes-list-type']) {
    case 'map': {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      if (!isObject(item)) return undefined;
      return old.find((o) => isObject(o) && keys.every((k) => deepEqual(o[k], item[k])));
    }
    case 'set':
      return old.find((o) => deepEqual(o, item));
    default:
      return undefined;
  }
}

export function celErrors(value: unknown, old: unknown, schema: SchemaNode): CelResult {
  const walker = new Walker(old !== undefined);
  walker.walk(value, old, schema, undefined, undefined);
  return { errors: walker.errors, warnings: walker.warnings };
}
