export { dataSourceSql, poolSql, rowsOf, type Sql } from './sql.js';
export type { FileOutput } from './file-output.js';
