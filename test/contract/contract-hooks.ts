import { saveContractTally, takeContractFailures } from './contract-recorder';

// Registered for every test file (jest setupFilesAfterEnv): a response that breaks the OpenAPI document fails
// the test that made it.
afterEach(() => {
  const failures = takeContractFailures();
  if (failures.length > 0) throw new Error(`responses that break /docs-json:\n  ${failures.join('\n  ')}`);
});

afterAll(() => {
  saveContractTally(expect.getState().testPath);
});
