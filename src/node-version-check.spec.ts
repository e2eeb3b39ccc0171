import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from './node-version-check';

describe(nodeVersionProblem.name, () => {
  it('accepts the minimum and anything newer', () => {
    for (const version of ['24.11.0', '24.11.1', '24.21.0', '25.0.0', '30.1.2'])
      expect(nodeVersionProblem(version, '/x/node')).toBeUndefined();
  });

  it('refuses anything older, naming the Node needed, the Node found and that npm start brings the right one', () => {
    for (const version of ['24.10.9', '24.0.0', '22.19.0', '20.20.2', '18.0.0']) {
      const problem = nodeVersionProblem(version, '/usr/bin/node');
      expect(problem).toContain(`Node.js >=${MINIMUM_NODE_VERSION}`);
      expect(problem).toContain(`this is Node ${version} (/usr/bin/node)`);
      expect(problem).toContain('npm start');
    }
  });

  it('says what package.json engines says', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
  });
});
