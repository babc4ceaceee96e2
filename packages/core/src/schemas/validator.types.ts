/** The shape of an ajv standalone validator. */
export interface SchemaErrorObject {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaErrorObject[] | null;
}
