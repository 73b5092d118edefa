import type { Database, InsertManyOptions, Sql } from './types.ts';

/** PostgreSQL's limit on parameters in one statement (the wire protocol counts them in 16 bits). */
const MAX_PARAMS = 65_535;
/** Rows per statement: past this, bigger statements parse slower than they save round trips. */
const MAX_ROWS_PER_STATEMENT = 1000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A table (`shares`, `public.shares`) or column name, quoted; anything else is refused (no SQL injection). */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p)))
    throw new Error(`invalid ${what} "${name}": use letters, digits and _ (optionally schema.table)`);
  return parts.map((p) => `"${p}"`).join('.');
}

/** The statements `insertMany` runs: one per chunk of rows, with the parameters of each. */
export function buildInserts(
  table: string,
  columns: string[],
  rows: unknown[][],
  options: InsertManyOptions = {},
): { text: string; params: unknown[] }[] {
  if (columns.length === 0) throw new Error('insertMany needs at least one column');
  const target = quoteIdentifier(table, 'table name');
  const columnList = columns.map((c) => quoteIdentifier(c, 'column name')).join(', ');
  const conflict = options.onConflictDoNothing;
  let suffix = '';
  if (conflict !== false) {
    const on =
      conflict && conflict.length > 0
        ? ` (${conflict.map((c) => quoteIdentifier(c, 'conflict column')).join(', ')})`
        : '';
    suffix = ` ON CONFLICT${on} DO NOTHING`;
  }
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / columns.length)));
  const statements: { text: string; params: unknown[] }[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row, i) => {
      if (row.length !== columns.length)
        throw new Error(
          `insertMany into ${table}: row ${start + i} has ${row.length} values for ${columns.length} columns`,
        );
      const placeholders = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    statements.push({
      text: `INSERT INTO ${target} (${columnList}) VALUES ${tuples.join(', ')}${suffix}`,
      params,
    });
  }
  return statements;
}

/**
 * Inserts rows through any `Sql` (the database or a transaction handle); returns the rows actually inserted.
 * Statements run one after the other on the handle given: pass a transaction handle for all-or-nothing.
 */
export async function insertRows(
  sql: Sql,
  table: string,
  columns: string[],
  rows: unknown[][],
  options?: InsertManyOptions,
): Promise<number> {
  let inserted = 0;
  for (const statement of buildInserts(table, columns, rows, options)) {
    inserted += (await sql.query(statement.text, statement.params)).rowCount;
  }
  return inserted;
}

/** `Database.insertMany`: one statement as is, several inside one transaction (all rows or none). */
export async function insertManyAtomically(
  db: Pick<Database, 'query' | 'transaction'>,
  table: string,
  columns: string[],
  rows: unknown[][],
  options?: InsertManyOptions,
): Promise<number> {
  const statements = buildInserts(table, columns, rows, options);
  if (statements.length === 0) return 0;
  if (statements.length === 1) return (await db.query(statements[0]!.text, statements[0]!.params)).rowCount;
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (const statement of statements)
      inserted += (await tx.query(statement.text, statement.params)).rowCount;
    return inserted;
  });
}
