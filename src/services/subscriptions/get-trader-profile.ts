import { z } from 'zod';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { loadTraderAnalytics, type TraderAnalytics } from '../traders/trader-analytics';
import { loadTraderProfile, type TraderProfile } from './trader-profile';

const getTraderProfileSchema = z.object({ traderId: z.string('is required').trim().min(1, 'is required') });

/**
 * A trader's public profile with their statistics, curve, latest closed positions and what
 * their followers got. Public on purpose (anyone may look a trader up before signing up);
 * users who are not traders, and soft-deleted ones, are not found.
 */
export async function getTraderProfile({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { traderId: string } | unknown;
}): Promise<TraderProfile & TraderAnalytics> {
  const { traderId } = parseInput(getTraderProfileSchema, input);
  const profile = await loadTraderProfile(ctx.db, traderId);
  if (!profile) throw new AppError('NOT_FOUND', 'Trader not found');
  return { ...profile, ...(await loadTraderAnalytics(ctx.db, traderId)) };
}
