// Turns the services' pino JSON lines into readable terminal lines with a service prefix, so six
// interleaved processes stay legible: `gateway │ 12:00:01.123 INFO  listening port=8080`.

/** Colors on when stdout is a terminal; NO_COLOR and FORCE_COLOR override (no-color.org). */
export function colorsEnabled(stream = process.stdout) {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return Boolean(stream.isTTY);
}

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
  dim: 2,
};

/** `paint.red('x')` and friends; identity functions when colors are off. */
export function palette(enabled = colorsEnabled()) {
  return Object.fromEntries(
    Object.entries(CODES).map(([name, code]) => [
      name,
      enabled ? (text) => `\x1b[${code}m${text}\x1b[0m` : (text) => text,
    ]),
  );
}

const LEVEL_NAMES = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_COLORS = {
  trace: 'gray',
  debug: 'blue',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'magenta',
};
// Shown elsewhere (prefix, level, time) or constant per process: left out of key=value.
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'v']);

function clock(time) {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function formatValue(value) {
  if (typeof value === 'string') return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * One log line as terminal text (possibly several lines, for error stacks). JSON objects become
 * `HH:MM:SS.mmm LEVEL msg key=value ...`; anything else is returned unchanged.
 */
export function formatLogLine(line, paint = palette()) {
  if (!line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return line;
  const level =
    typeof entry.level === 'number'
      ? (LEVEL_NAMES[entry.level] ?? String(entry.level))
      : String(entry.level ?? 'info');
  const color = paint[LEVEL_COLORS[level] ?? 'bold'];
  const parts = [
    paint.gray(entry.time === undefined ? '--:--:--.---' : clock(entry.time)),
    color(level.toUpperCase().padEnd(5)),
  ];
  if (entry.msg !== undefined) parts.push(String(entry.msg));
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object' && typeof value.stack === 'string') {
      parts.push(`${paint.gray(`${key}=`)}${formatValue(value.message ?? value.type)}`);
      stack = `\n${paint.gray(value.stack)}`;
      continue;
    }
    parts.push(`${paint.gray(`${key}=`)}${formatValue(value)}`);
  }
  return parts.join(' ') + stack;
}

const SERVICE_COLORS = ['cyan', 'magenta', 'yellow', 'blue', 'green', 'red'];

/**
 * A function that prints a service's output lines with a fixed-width colored name in front of
 * every (also continuation) line.
 */
export function linePrinter(
  name,
  index,
  width,
  paint = palette(),
  write = (text) => process.stdout.write(text),
) {
  const prefix = `${paint[SERVICE_COLORS[index % SERVICE_COLORS.length]](name.padEnd(width))} ${paint.gray('│')} `;
  return (line) => {
    const text = formatLogLine(line, paint);
    write(
      `${text
        .split('\n')
        .map((part) => prefix + part)
        .join('\n')}\n`,
    );
  };
}
