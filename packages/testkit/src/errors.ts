/**
 * A local stand-in could not be provided. The message always says what happened and what to do
 * (install something, or point OPENSEARCH_URL at a cluster): tests fail with it, they never skip.
 */
export class TestkitError extends Error {
  override readonly name: string = 'TestkitError';
}

/**
 * A tool the stand-in needs (Java, Maven, unzip, setpriv) is not installed. Separate from other
 * failures so `opensearch fetch` in setup.sh can warn about it instead of failing the whole setup.
 */
export class MissingPrerequisiteError extends TestkitError {
  override readonly name: string = 'MissingPrerequisiteError';
}
