// Objects as multi-document YAML, the output of `synth`, `crds` and `install-manifests`. Written so that
// every YAML parser reads it back the same: YAML 1.2 parsers, and YAML 1.1 ones (kubectl's go-yaml v2,
// PyYAML, Ruby's Psych, many CI tools), which take more plain scalars for non-strings.
import { Document, Scalar, visit } from 'yaml';
import type { KubeObject } from '../api/types.ts';

/**
 * Plain scalars that a YAML 1.1 or 1.2 parser resolves to something other than a string: the union of
 * YAML 1.1's null, bool, int (binary, octal `0755`, hex, `1_000`, sexagesimal `1:4`), float (`.5`, `1e3`,
 * `190:20:30.15`, `.inf`, `.nan`), timestamp, merge (`<<`) and value (`=`) types, with go-yaml v2's `y`
 * and `n`, and YAML 1.2's core schema (`0o17`, `1e3`).
 */
const NOT_A_STRING_IN_SOME_YAML = new RegExp(
  '^(?:' +
    [
      '~|null|Null|NULL|',
      'y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF',
      '[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+',
      '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?',
      '[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+',
      '[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)',
      '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?',
      '<<|=',
    ].join('|') +
    ')$',
);

/** Whether a string must be quoted to stay a string for every YAML parser. */
export function needsQuotes(text: string): boolean {
  return NOT_A_STRING_IN_SOME_YAML.test(text);
}

function toYamlDocument(object: KubeObject): string {
  const document = new Document(object);
  visit(document, {
    Scalar(_, node: Scalar) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString({ lineWidth: 0 });
}

export function toYaml(objects: KubeObject[]): string {
  return objects.map(toYamlDocument).join('---\n');
}
