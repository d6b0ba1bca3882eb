/**
 * SQLite SQL -> PostgreSQL SQL, for what is regular only (yasr's SQL is written for SQLite and
 * kept to a subset both engines accept; what is not regular is rewritten in the store, or
 * refused here with a message saying so):
 * - `?` placeholders -> $1, $2, ... (`?NNN` -> $NNN), outside string literals, quoted
 *   identifiers and comments;
 * - type names: INTEGER -> BIGINT (read back as JS numbers, as better-sqlite3 gives them),
 *   REAL -> DOUBLE PRECISION, BLOB -> BYTEA; a TEXT column -> TEXT COLLATE "C" (byte order, as
 *   SQLite's BINARY collation: ORDER BY, =, DISTINCT and lower() agree);
 * - a column `INTEGER PRIMARY KEY` (SQLite's rowid; one without REFERENCES) -> an identity
 *   column, with a trigger that moves its sequence past explicitly given ids (SQLite takes the
 *   largest id + 1); AUTOINCREMENT and WITHOUT ROWID dropped;
 * - `strftime('%Y-%m-%dT%H:%M:%fZ','now')` -> the same UTC text (milliseconds, trailing Z) of
 *   the statement's start;
 * - INSERT OR IGNORE -> INSERT ... ON CONFLICT DO NOTHING;
 * - `a IS b` / `a IS NOT b` (not NULL, TRUE, FALSE) -> IS [NOT] DISTINCT FROM;
 * - `AS camelCase` -> `AS "camelCase"` (PostgreSQL folds unquoted names to lower case).
 * Refused (SqlDialectError): INSERT OR REPLACE and the other OR conflict clauses, REPLACE INTO,
 * CREATE TRIGGER, PRAGMA, VACUUM, rowid, json_each, other strftime formats.
 */

export class SqlDialectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlDialectError';
  }
}

type Kind = 'word' | 'string' | 'quoted' | 'param' | 'comment' | 'space' | 'punct';

interface Token {
  kind: Kind;
  text: string;
}

/** SQLite's SQL as tokens: the text of every token joined is the input. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    let j = i + 1;
    let kind: Kind;
    if (c === "'" || c === '"' || c === '`') {
      kind = c === "'" ? 'string' : 'quoted';
      for (;;) {
        if (j >= n) throw new SqlDialectError(`unterminated ${c === "'" ? 'string literal' : 'quoted identifier'} in SQL: ${sql.slice(i, i + 40)}`);
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else {
            j++;
            break;
          }
        } else j++;
      }
    } else if (c === '-' && sql[i + 1] === '-') {
      kind = 'comment';
      while (j < n && sql[j] !== '\n') j++;
    } else if (c === '/' && sql[i + 1] === '*') {
      kind = 'comment';
      const end = sql.indexOf('*/', i + 2);
      j = end < 0 ? n : end + 2;
    } else if (c === '?') {
      kind = 'param';
      while (j < n && sql[j] >= '0' && sql[j] <= '9') j++;
    } else if (/\s/.test(c)) {
      kind = 'space';
      while (j < n && /\s/.test(sql[j])) j++;
    } else if (/[A-Za-z_]/.test(c)) {
      kind = 'word';
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
    } else if (/[0-9]/.test(c)) {
      kind = 'punct';
      while (j < n && /[0-9.eE]/.test(sql[j])) j++;
    } else {
      kind = 'punct';
    }
    out.push({ kind, text: sql.slice(i, j) });
    i = j;
  }
  return out;
}

const upper = (t: Token | undefined): string => (t && t.kind === 'word' ? t.text.toUpperCase() : '');

/** The statements of a script (a trigger's BEGIN ... END body stays whole), without the `;`. */
export function splitStatements(sql: string): Token[][] {
  const all = tokenize(sql);
  const out: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0; // BEGIN/CASE ... END inside CREATE TRIGGER
  let trigger = false;
  for (const t of all) {
    if (t.kind === 'punct' && t.text === ';' && depth === 0) {
      if (cur.some((x) => x.kind !== 'space' && x.kind !== 'comment')) out.push(cur);
      cur = [];
      trigger = false;
      continue;
    }
    if (t.kind === 'word') {
      const w = t.text.toUpperCase();
      const sig = cur.filter((x) => x.kind === 'word');
      if (w === 'TRIGGER' && sig.length >= 1 && upper(sig[0]) === 'CREATE') trigger = true;
      if (trigger && (w === 'BEGIN' || w === 'CASE')) depth++;
      if (trigger && w === 'END') depth--;
    }
    cur.push(t);
  }
  if (cur.some((x) => x.kind !== 'space' && x.kind !== 'comment')) out.push(cur);
  return out;
}

const NOW_SQLITE = ['strftime', '(', "'%Y-%m-%dT%H:%M:%fZ'", ',', "'now'", ')'];
/** The text SQLite's strftime('%Y-%m-%dT%H:%M:%fZ','now') gives, in PostgreSQL (UTC, milliseconds, Z). */
export const NOW_POSTGRES = `to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Translation of one SQL text (one statement or a script) from SQLite to PostgreSQL. */
export function toPostgres(sql: string): string {
  const params = { n: 0, numbered: false };
  return splitStatements(sql)
    .map((st) => statement(st, params))
    .join(';\n');
}

/** The statements of a SQLite script, each translated (for migrations: a statement can be replaced). */
export function statementsOf(sql: string): { sqlite: string; postgres: () => string }[] {
  return splitStatements(sql).map((st) => ({
    sqlite: st.map((t) => t.text).join('').trim(),
    postgres: () => statement(st, { n: 0, numbered: false }),
  }));
}

function significant(st: Token[]): number[] {
  const idx: number[] = [];
  st.forEach((t, i) => {
    if (t.kind !== 'space' && t.kind !== 'comment') idx.push(i);
  });
  return idx;
}

function statement(input: Token[], params: { n: number; numbered: boolean }): string {
  const st = input.map((t) => ({ ...t }));
  const sig = significant(st);
  const at = (k: number): Token | undefined => (k >= 0 && k < sig.length ? st[sig[k]] : undefined);
  const head = sig.slice(0, 4).map((k) => upper(st[k])).join(' ');
  const brief = () => st.map((t) => t.text).join('').trim().replace(/\s+/g, ' ').slice(0, 80);
  if (/^CREATE (TEMP |TEMPORARY )?TRIGGER/.test(head)) {
    throw new SqlDialectError(`SQLite trigger needs a PostgreSQL override (src/store/engine/postgres-migrations.ts): ${brief()}`);
  }
  if (head.startsWith('PRAGMA')) throw new SqlDialectError(`PRAGMA has no PostgreSQL form: ${brief()}`);
  if (head.startsWith('VACUUM')) throw new SqlDialectError(`VACUUM has no PostgreSQL form here: ${brief()}`);
  if (head.startsWith('REPLACE')) throw new SqlDialectError(`REPLACE INTO needs its conflict target on PostgreSQL: write INSERT ... ON CONFLICT (...) DO UPDATE: ${brief()}`);

  // INSERT OR <conflict>
  let onConflictDoNothing = false;
  if (upper(at(0)) === 'INSERT' && upper(at(1)) === 'OR') {
    const what = upper(at(2));
    if (what !== 'IGNORE') {
      throw new SqlDialectError(`INSERT OR ${what} has no PostgreSQL form without its conflict target: write INSERT ... ON CONFLICT (...) DO UPDATE: ${brief()}`);
    }
    onConflictDoNothing = true;
    for (let k = sig[1]; k <= sig[2]; k++) st[k].text = ''; // 'OR', spaces, 'IGNORE'
    if (st[sig[2] + 1]?.kind === 'space') st[sig[2] + 1].text = '';
  }

  const ddl = /^(CREATE (TEMP |TEMPORARY )?TABLE|ALTER TABLE)/.test(head);
  const createTable = ddl && head.startsWith('CREATE');
  let tableName = '';
  if (createTable) {
    let k = upper(at(1)) === 'TABLE' ? 2 : 3;
    if (upper(at(k)) === 'IF') k += 3; // IF NOT EXISTS
    tableName = at(k)?.text ?? '';
  }
  const identities: string[] = [];
  // column definitions: in CREATE TABLE at depth 1 after '(' or ','; in ALTER TABLE after ADD [COLUMN]
  const typeAt = new Set<number>();
  const colNameOf = new Map<number, string>();
  if (ddl) {
    let depth = 0;
    for (let k = 0; k < sig.length; k++) {
      const t = at(k)!;
      let start = -1;
      if (createTable && t.kind === 'punct' && t.text === '(') {
        depth++;
        if (depth === 1) start = k + 1;
      } else if (t.kind === 'punct' && t.text === ')') depth--;
      else if (createTable && depth === 1 && t.kind === 'punct' && t.text === ',') start = k + 1;
      else if (!createTable && upper(t) === 'ADD') start = upper(at(k + 1)) === 'COLUMN' ? k + 2 : k + 1;
      if (start < 0) continue;
      const name = at(start);
      if (!name || ['PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN', 'CONSTRAINT'].includes(upper(name))) continue;
      if (at(start + 1)?.kind === 'word') {
        typeAt.add(sig[start + 1]);
        colNameOf.set(sig[start + 1], name.text);
      }
    }
  }

  let depthAll = 0;
  let returningAt = -1;
  for (let k = 0; k < sig.length; k++) {
    const i = sig[k];
    const t = st[i];
    if (t.kind === 'punct') {
      if (t.text === '(') depthAll++;
      else if (t.text === ')') depthAll--;
      continue;
    }
    if (t.kind === 'param') {
      if (t.text.length > 1) {
        params.numbered = true;
        t.text = `$${t.text.slice(1)}`;
      } else t.text = `$${++params.n}`;
      continue;
    }
    if (t.kind === 'quoted') {
      if (t.text.startsWith('`')) t.text = `"${t.text.slice(1, -1).replace(/``/g, '`').replace(/"/g, '""')}"`;
      continue;
    }
    if (t.kind !== 'word') continue;
    const w = t.text.toUpperCase();
    const prev = at(k - 1);
    const qualified = prev?.kind === 'punct' && prev.text === '.';
    if (qualified) continue;
    if (w === 'STRFTIME') {
      const seq = sig.slice(k, k + NOW_SQLITE.length).map((x) => st[x].text);
      if (seq.length === NOW_SQLITE.length && seq[0].toLowerCase() === 'strftime' && seq.slice(1).every((s, m) => s === NOW_SQLITE[m + 1])) {
        t.text = NOW_POSTGRES;
        for (let m = sig[k] + 1; m <= sig[k + NOW_SQLITE.length - 1]; m++) st[m].text = '';
        k += NOW_SQLITE.length - 1;
        continue;
      }
      throw new SqlDialectError(`only strftime('%Y-%m-%dT%H:%M:%fZ','now') has a PostgreSQL form here: ${brief()}`);
    }
    if (w === 'ROWID' || w === '_ROWID_' || w === 'OID') throw new SqlDialectError(`rowid has no PostgreSQL form: ${brief()}`);
    if (w === 'JSON_EACH') throw new SqlDialectError(`json_each(?) is SQLite's; use jsonValues() of src/store/db.ts: ${brief()}`);
    if (w === 'RETURNING' && depthAll === 0) returningAt = i;
    if (w === 'WITHOUT' && upper(at(k + 1)) === 'ROWID') {
      t.text = '';
      for (let m = i + 1; m <= sig[k + 1]; m++) st[m].text = '';
      k++;
      continue;
    }
    if (w === 'AUTOINCREMENT') {
      t.text = '';
      continue;
    }
    if (w === 'AS') {
      const next = at(k + 1);
      if (next?.kind === 'word' && /[a-z]/.test(next.text) && /[A-Z]/.test(next.text)) next.text = `"${next.text}"`;
      continue;
    }
    if (w === 'IS') {
      const a = upper(at(k + 1));
      const b = upper(at(k + 2));
      if (a === 'NOT') {
        if (!['NULL', 'TRUE', 'FALSE', 'DISTINCT'].includes(b)) at(k + 1)!.text = 'DISTINCT FROM';
        else if (b === 'DISTINCT') k += 2;
        else k++;
      } else if (!['NULL', 'TRUE', 'FALSE', 'DISTINCT'].includes(a)) t.text = 'IS NOT DISTINCT FROM';
      continue;
    }
    if (w === 'INTEGER' || w === 'INT') {
      t.text = 'BIGINT';
      if (typeAt.has(i) && createTable && upper(at(k + 1)) === 'PRIMARY' && upper(at(k + 2)) === 'KEY') {
        // a rowid alias: an identity column, unless it points at another table's row
        let refs = false;
        for (let m = k + 3, d = 0; m < sig.length; m++) {
          const x = at(m)!;
          if (x.kind === 'punct' && x.text === '(') d++;
          else if (x.kind === 'punct' && x.text === ')') {
            if (d === 0) break;
            d--;
          } else if (d === 0 && x.kind === 'punct' && x.text === ',') break;
          else if (upper(x) === 'REFERENCES') refs = true;
        }
        if (!refs) {
          t.text = 'BIGINT GENERATED BY DEFAULT AS IDENTITY';
          identities.push(colNameOf.get(i)!);
        }
      }
      continue;
    }
    if (w === 'REAL' || w === 'DOUBLE' || w === 'FLOAT') {
      if (w === 'DOUBLE' && upper(at(k + 1)) === 'PRECISION') {
        k++;
        continue;
      }
      t.text = 'DOUBLE PRECISION';
      continue;
    }
    if (w === 'BLOB') {
      t.text = 'BYTEA';
      continue;
    }
    if (w === 'TEXT' && typeAt.has(i) && upper(at(k + 1)) !== 'COLLATE') {
      t.text = 'TEXT COLLATE "C"';
      continue;
    }
    if (w === 'ON' && upper(at(k + 1)) === 'CONFLICT' && onConflictDoNothing) {
      throw new SqlDialectError(`INSERT OR IGNORE with an ON CONFLICT clause: ${brief()}`);
    }
  }
  if (params.numbered && params.n > 0) throw new SqlDialectError(`SQL mixes ? and ?NNN placeholders: ${brief()}`);
  let text = st.map((t) => t.text).join('').trim();
  const last = [...st].reverse().find((t) => t.kind !== 'space' && t.text !== '');
  if (last?.kind === 'comment' && last.text.startsWith('--')) text += '\n'; // what follows must not land in the comment
  if (onConflictDoNothing) {
    if (returningAt >= 0) {
      const before = st.slice(0, returningAt).map((t) => t.text).join('').trimEnd();
      const after = st.slice(returningAt).map((t) => t.text).join('').trim();
      text = `${before.trim()} ON CONFLICT DO NOTHING ${after}`;
    } else text = `${text} ON CONFLICT DO NOTHING`;
  }
  for (const col of identities) {
    text += `;\nCREATE TRIGGER ${tableName}_${col}_follow BEFORE INSERT ON ${tableName} FOR EACH ROW EXECUTE FUNCTION yasr_identity_follow('${col}')`;
  }
  return text;
}
