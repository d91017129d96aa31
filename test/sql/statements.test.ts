import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/sql/statements.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    expect(splitStatements("SELECT 1; SELECT ';' AS a; SELECT \"x;y\" FROM t")).toEqual(["SELECT 1", "SELECT ';' AS a", 'SELECT "x;y" FROM t']);
  });

  it('ignores semicolons in comments and dollar quotes, and doubled quotes', () => {
    const sql = "-- header; with a semicolon\nSELECT 'it''s; fine' /* a; b */ AS x;\nSELECT $$a;b$$, $tag$c;d$tag$";
    expect(splitStatements(sql)).toEqual(["-- header; with a semicolon\nSELECT 'it''s; fine' /* a; b */ AS x", 'SELECT $$a;b$$, $tag$c;d$tag$']);
  });

  it('drops statements that are only comments or whitespace', () => {
    expect(splitStatements('SELECT 1;\n-- trailing comment\n  ;  ')).toEqual(['SELECT 1']);
    expect(splitStatements('  -- nothing\n')).toEqual([]);
  });
});
