import { ConfigError } from '@presence/kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, parsePartitions } from './config.js';
import { fairShare } from './adapters/partition-leases.js';

describe('aggregator configuration', () => {
  it('owns every partition by default', () => {
    expect(loadConfig({ PRESENCE_PARTITIONS: '4' }).candidatePartitions).toEqual([0, 1, 2, 3]);
  });

  it('reads partition lists and ranges', () => {
    expect(parsePartitions('0-2, 7 ,5', 8)).toEqual([0, 1, 2, 5, 7]);
  });

  it.each(['8', '3-1', 'x', '1-', ''])('refuses %j, naming the variable', (spec) => {
    expect(() => parsePartitions(spec, 8)).toThrow(ConfigError);
    expect(() => parsePartitions(spec, 8)).toThrow(/AGGREGATOR_PARTITIONS/);
  });

  it('refuses a minimum idle timeout of 0', () => {
    expect(() => loadConfig({ PRESENCE_MIN_IDLE_TIMEOUT_S: '0' })).toThrow(
      /PRESENCE_MIN_IDLE_TIMEOUT_S/,
    );
  });
});

describe('fair share of partitions', () => {
  it('splits partitions across live replicas, rounding up', () => {
    expect(fairShare(16, 1)).toBe(16);
    expect(fairShare(16, 2)).toBe(8);
    expect(fairShare(16, 3)).toBe(6);
    expect(fairShare(16, 0)).toBe(16);
  });
});
