/** Codes of the problems the catalog reports (`Problem.code`). */
export const PROBLEM = {
  yaml: 'CONFIG_YAML',
  unknownKey: 'CONFIG_UNKNOWN_KEY',
  missingKey: 'CONFIG_MISSING_KEY',
  invalidValue: 'CONFIG_INVALID_VALUE',
  invalidName: 'CONFIG_INVALID_NAME',
  pathEscapes: 'CONFIG_PATH_ESCAPES',
  pathNotFound: 'CONFIG_PATH_NOT_FOUND',
  readFailed: 'CONFIG_READ',
  csvOnly: 'CONFIG_CSV_ONLY',
  duplicateSource: 'CONFIG_DUPLICATE_SOURCE',
  duplicateModel: 'CONFIG_DUPLICATE_MODEL',
  nameConflict: 'CONFIG_NAME_CONFLICT',
  modelHeader: 'CONFIG_MODEL_HEADER',
  emptySql: 'CONFIG_EMPTY_SQL',
  sqlSyntax: 'CONFIG_SQL_SYNTAX',
  notSelect: 'CONFIG_NOT_SELECT',
  multipleStatements: 'CONFIG_MULTIPLE_STATEMENTS',
  unknownTable: 'CONFIG_UNKNOWN_TABLE',
  selfReference: 'CONFIG_SELF_REFERENCE',
  cycle: 'CONFIG_CYCLE',
  duplicateColumn: 'CONFIG_DUPLICATE_COLUMN',
  fileRead: 'CONFIG_FILE_READ',
  sourceOutsideRoots: 'CONFIG_SOURCE_OUTSIDE_ROOTS',
} as const;

export type ProblemCode = (typeof PROBLEM)[keyof typeof PROBLEM];
