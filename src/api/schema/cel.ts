// The CRD's x-kubernetes-validations rules, evaluated with @bufbuild/cel the way apiextensions' CEL
// validator evaluates them: at every node that carries rules, with `self` (and `oldSelf` for transition
// rules, only when an old value correlates), reporting at the node's path plus the rule's fieldPath.
import { celEnv, type CelEnv, celList, celMap, type CelValue, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { type ErrorType, fieldError, OMIT, type TypedError } from './errors.ts';
import { bracketedPath, extend, type Step, type Trail, trailOf } from './paths.ts';
import {
  childOf,
  deepEqual,
  isObject,
  prunedChild,
  type PrunedNode,
  prunedTrees,
  type SchemaNode,
  type ValidationRule,
} from './node.ts';

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

/** The parts of @bufbuild/cel's syntax tree (cel.expr.Expr) that `directFieldAccess` reads or writes. */
interface ExprNode {
  id: bigint;
  exprKind:
    | { case: 'identExpr'; value: { name: string } }
    | { case: 'selectExpr'; value: { operand?: ExprNode } }
    | { case: 'callExpr'; value: { function: string; target?: ExprNode; args: ExprNode[] } }
    | { case: 'listExpr'; value: { elements: ExprNode[] } }
    | { case: 'structExpr'; value: { entries: { keyKind: { value?: unknown }; value?: ExprNode }[] } }
    | { case: 'comprehensionExpr'; value: Record<string, ExprNode | string | undefined> }
    | { case: 'constExpr' | undefined; value?: unknown };
}

/**
 * Rewrites every `x.field` whose `x` is a variable into `dyn(x).field`, the same value. The planner
 * reads a dotted chain on a variable as a possibly qualified name: on every evaluation it first looks
 * `self.spec.pytorchReplicaSpecs`, then `self.spec`, up as variables and protobuf type and enum names
 * before it reads `self`'s fields, and that search was most of a rule's cost. Our rules name no types.
 */
function directFieldAccess(node: ExprNode | undefined): void {
  if (!node) return;
  const { exprKind } = node;
  switch (exprKind.case) {
    case 'selectExpr': {
      const operand = exprKind.value.operand;
      if (operand?.exprKind.case === 'identExpr') {
        exprKind.value.operand = {
          id: operand.id,
          exprKind: { case: 'callExpr', value: { function: 'dyn', args: [operand] } },
        };
      } else directFieldAccess(operand);
      return;
    }
    case 'callExpr':
      directFieldAccess(exprKind.value.target);
      exprKind.value.args.forEach(directFieldAccess);
      return;
    case 'listExpr':
      exprKind.value.elements.forEach(directFieldAccess);
      return;
    case 'structExpr':
      for (const entry of exprKind.value.entries) {
        directFieldAccess(entry.keyKind.value as ExprNode | undefined);
        directFieldAccess(entry.value);
      }
      return;
    case 'comprehensionExpr':
      for (const part of Object.values(exprKind.value)) {
        if (typeof part === 'object') directFieldAccess(part);
      }
      return;
  }
}

function compile(expression: string): Program {
  const parsed = parse(expression);
  directFieldAccess(parsed.expr as unknown as ExprNode);
  const program = plan((env ??= celEnv({ funcs: strings, re2: jsRegExp })), parsed);
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

function compileRules(schema: SchemaNode): CompiledRule[] {
  return (schema['x-kubernetes-validations'] ?? []).map((source) => ({
    source,
    program: compile(source.rule),
    messageProgram: source.messageExpression ? compile(source.messageExpression) : undefined,
    fieldPath: normalizeFieldPath(source.fieldPath, schema),
    transition: /\boldSelf\b/.test(source.rule),
  }));
}

/**
 * The parts of a schema with rules at or below them, each node's rules compiled: a walk over a job visits
 * the few places that have rules (the pod template's containers, not every field of a pod spec), and
 * compiles nothing after the first job of a kind.
 */
const ruleTree = prunedTrees((schema) => {
  const rules = compileRules(schema);
  return rules.length ? rules : undefined;
});

type RuleNode = PrunedNode<CompiledRule[]>;

/**
 * JSON → CEL values as Kubernetes types them: integer fields (and int-or-string numbers) are CEL ints.
 * An object becomes a CEL map that converts a field only when a rule reads it: the root rule sees the
 * whole job but reads a few fields of it, and converting every pod template up front cost more than
 * all the rules together. Each object is wrapped once per validation, since nested rules see the same
 * subtrees again.
 */
class CelValues {
  private readonly memo = new Map<object, unknown>();

  of(value: unknown, schema: SchemaNode | undefined): unknown {
    if (typeof value === 'number') return isIntegral(value, schema) ? BigInt(value) : value;
    if (value === null || typeof value !== 'object') return value;
    let converted = this.memo.get(value);
    if (converted === undefined) {
      converted = Array.isArray(value)
        ? celList(value.map((item) => this.of(item, schema?.items)) as CelValue[])
        : celMap(new FieldsOnDemand(value as Record<string, unknown>, schema, this));
      this.memo.set(value, converted);
    }
    return converted;
  }
}

/** A JSON object seen as the map @bufbuild/cel reads, converting each field's value when it is read. */
class FieldsOnDemand implements ReadonlyMap<string, CelValue> {
  constructor(
    private readonly object: Record<string, unknown>,
    private readonly schema: SchemaNode | undefined,
    private readonly converter: CelValues,
  ) {}

  get size(): number {
    return Object.keys(this.object).length;
  }

  get(key: string): CelValue | undefined {
    if (typeof key !== 'string' || !Object.hasOwn(this.object, key)) return undefined;
    return this.converter.of(this.object[key], childOf(this.schema, key)?.schema) as CelValue;
  }

  has(key: string): boolean {
    return typeof key === 'string' && Object.hasOwn(this.object, key);
  }

  keys(): MapIterator<string> {
    return Object.keys(this.object)[Symbol.iterator]();
  }

  *values(): MapIterator<CelValue> {
    for (const key of Object.keys(this.object)) yield this.get(key)!;
  }

  *entries(): MapIterator<[string, CelValue]> {
    for (const key of Object.keys(this.object)) yield [key, this.get(key)!];
  }

  [Symbol.iterator](): MapIterator<[string, CelValue]> {
    return this.entries();
  }

  forEach(callback: (value: CelValue, key: string, map: ReadonlyMap<string, CelValue>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
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
    node: RuleNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    if (value === null || value === undefined) return;
    const here = old === undefined ? anchor : { value, old };
    for (const rule of node.found ?? []) this.evaluate(rule, value, old, node.schema, trail, here);
    if (Array.isArray(value)) this.walkList(value, old, node, trail, here);
    else if (isObject(value)) this.walkObject(value, old, node, trail, here);
  }

  private walkObject(
    value: Record<string, unknown>,
    old: unknown,
    node: RuleNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    for (const key of Object.keys(value)) {
      const child = prunedChild(node, key);
      if (!child) continue;
      const oldChild = isObject(old) ? old[key] : undefined;
      this.walk(value[key], oldChild ?? undefined, child.node, extend(trail, child.step), anchor);
    }
  }

  private walkList(
    value: unknown[],
    old: unknown,
    node: RuleNode,
    trail: Trail | undefined,
    anchor: Anchor | undefined,
  ): void {
    const items = node.items;
    if (!items) return;
    value.forEach((item, index) => {
      const oldItem = Array.isArray(old) ? correlatedItem(item, old, node.schema) : undefined;
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
  const tree = ruleTree(schema);
  if (tree) walker.walk(value, old, tree, undefined, undefined);
  return { errors: walker.errors, warnings: walker.warnings };
}
