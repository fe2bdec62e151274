// Unit tests for requestKind: the operator's requests named as the API server's metrics name them.
import { expect } from 'chai';
import { requestKind } from '../../src/runtime/http.js';

describe('requestKind', () => {
  const cases: [string, string, string, string][] = [
    ['GET', 'https://h:1/api/v1/nodes?labelSelector=a', 'list', 'nodes'],
    ['GET', 'https://h:1/api/v1/nodes/n1', 'get', 'nodes'],
    ['PATCH', 'https://h:1/api/v1/nodes/n1/status', 'patch', 'nodes/status'],
    ['GET', 'https://h:1/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', 'list', 'pods'],
    ['POST', 'https://h:1/api/v1/namespaces/ns/pods/p/eviction', 'create', 'pods/eviction'],
    ['PATCH', 'https://h:1/apis/aksim.io/v1alpha1/namespaces/ns/simmachines/m/status', 'patch', 'simmachines/status'],
    ['POST', 'https://h:1/apis/events.k8s.io/v1/namespaces/default/events', 'create', 'events'],
    ['PUT', 'https://h:1/apis/coordination.k8s.io/v1/namespaces/aksim-system/leases/aksim', 'update', 'leases'],
    ['GET', 'https://h:1/api/v1/namespaces/aksim-system', 'get', 'namespaces'],
    ['DELETE', 'https://h:1/apis/aksim.io/v1alpha1/namespaces/ns/simoperations/o', 'delete', 'simoperations'],
  ];
  for (const [method, url, verb, resource] of cases) {
    it(`${method} ${new URL(url).pathname} is ${verb} ${resource}`, () => {
      expect(requestKind(method, url)).to.deep.equal({ verb, resource });
    });
  }
});
