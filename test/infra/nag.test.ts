// cdk-nag's AwsSolutions pack over every stack of both regions: no finding left unacknowledged,
// every acknowledgement explained, and synth fails on a new finding.
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, expect, test } from 'vitest';
import { buildPlinth, nagFindings, regionalStacks, type PlinthTestApp } from './support.ts';

let plinth: PlinthTestApp;

beforeAll(() => {
  plinth = buildPlinth();
  plinth.app.synth();
});

test('no stack has an unacknowledged AwsSolutions error or warning', () => {
  expect(nagFindings(plinth.app)).toEqual([]);
});

test('every acknowledgement names one rule or finding and says why', () => {
  const acknowledgements = plinth.app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
  expect(acknowledgements.length).toBeGreaterThan(0);
  for (const [id, reason] of acknowledgements) {
    expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
    expect(reason.length, id).toBeGreaterThan(40);
  }
  // IAM wildcard findings are acknowledged one finding at a time, never for the whole rule.
  expect(acknowledgements.filter(([id]) => id === 'Annotation::AwsSolutions-IAM5')).toEqual([]);
});

test('synth fails on a finding nobody acknowledged', () => {
  const fresh = buildPlinth();
  new s3.Bucket(regionalStacks(fresh, 'eu-central-1').data, 'Unprotected');
  expect(() => fresh.app.synth()).toThrow(/AwsSolutions-S10/);
});
