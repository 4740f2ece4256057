/**
 * A readable data table: column definitions render each cell, rows get a stable key and an
 * optional data-testid, and an empty list shows a message instead of a bare header.
 */
import type { ReactNode } from 'react';

export interface Column<T> {
  /** unique within the table */
  key: string;
  header: ReactNode;
  render: (row: T) => ReactNode;
  /** 'num' right-aligns counters; any other class is passed through */
  className?: string;
}

export interface TableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  rowTestId?: (row: T) => string;
  /** shown in place of the rows when there are none */
  empty?: ReactNode;
  testId?: string;
  caption?: ReactNode;
}

export function Table<T>({ columns, rows, rowKey, rowTestId, empty, testId, caption }: TableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty ? (
            <tr className="table-empty">
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} data-testid={rowTestId?.(row)}>
                {columns.map((c) => (
                  <td key={c.key} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
