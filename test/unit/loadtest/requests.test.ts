import { describe, expect, it } from 'vitest';
import { WeightedPicker, concreteBody, concretePath } from '../../../src/loadtest/requests.js';

describe('requests', () => {
  it('fill every parameter of a template from its values', () => {
    const path = concretePath('/api/airtable/bases/{baseId}/tables/{table}/records', { baseId: ['app1'], table: ['tbl A'] }, () => 0.5);
    expect(path).toBe('/api/airtable/bases/app1/tables/tbl%20A/records');
  });

  it('fill ${email} and ${password} as JSON strings', () => {
    expect(concreteBody({ email: '${email}', password: '${password}' }, { email: 'a@b.example', password: 'p"q' })).toBe('{"email":"a@b.example","password":"p\\"q"}');
  });

  it('pick by weight', () => {
    const picker = new WeightedPicker([{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }]);
    expect([0, 0.24, 0.26, 0.99].map((r) => picker.pick(() => r).id)).toEqual(['a', 'a', 'b', 'b']);
  });
});
