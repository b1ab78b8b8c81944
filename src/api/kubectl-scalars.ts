// Plain YAML scalars read the way kubectl reads them: its YAML reader (sigs.k8s.io/yaml over go-yaml v2,
// resolve.go) follows YAML 1.1 in part, so `yes`, `on` and `y` are booleans, `0755` is octal and `1_000`
// an integer, where a YAML 1.2 reader sees strings or other numbers. A job is validated as kubectl will
// send it. Unlike YAML 1.1, go-yaml has no sexagesimal numbers (`1:4` is a string), and timestamps stay
// strings when decoded into a generic value, as kubectl does.
import type { ScalarTag } from 'yaml';

const TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** strconv.ParseInt(s, 0, 64)'s syntax: a sign, then a base prefix (a bare 0 is octal) and digits. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/;
/** go-yaml's yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat's decimal syntax, for a scalar that starts with a dot. */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;

function goInt(text: string): number | undefined {
  const match = GO_INT.exec(text);
  if (!match) return undefined;
  const [, sign, hex, octal, binary, decimal] = match;
  const magnitude =
    hex !== undefined
      ? parseInt(hex, 16)
      : octal !== undefined
        ? parseInt(octal, 8)
        : binary !== undefined
          ? parseInt(binary, 2)
          : Number(decimal);
  return sign === '-' ? -magnitude : magnitude;
}

/** go-yaml's resolve for a plain scalar that starts with a digit, a sign or a dot; otherwise a string. */
function goNumber(text: string): number | string {
  if (text.startsWith('.')) return DOT_FLOAT.test(text) ? Number(text) : text;
  const plain = text.replaceAll('_', '');
  const int = goInt(plain);
  if (int !== undefined) return int;
  return YAML_STYLE_FLOAT.test(plain) ? Number(plain) : text;
}

/** The scalar types of kubectl's reader, for the `yaml` package's failsafe schema (maps, lists, strings). */
export const KUBECTL_SCALAR_TAGS: ScalarTag[] = [
  { tag: 'tag:yaml.org,2002:null', default: true, test: /^(?:~|null|Null|NULL)?$/, resolve: () => null },
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    test: new RegExp(`${TRUE.source}|${FALSE.source}`),
    resolve: (text) => TRUE.test(text),
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: (text) =>
      text.endsWith('n') || text.endsWith('N') ? NaN : text.startsWith('-') ? -Infinity : Infinity,
  },
  { tag: 'tag:yaml.org,2002:int', default: true, test: /^[-+.0-9]/, resolve: goNumber },
];
