/** What a person sees of one track: metadata, sources, descriptors and how it was analysed. */
import type { Db } from '../store/db.js';
import { trackDetails, type TrackDetails } from '../store/tracks.js';
import { featureMeta } from '../store/features.js';
import { likedIds } from '../store/likes.js';
import { YasrError } from '../errors.js';
import type { Descriptors } from '../dsp/descriptors/index.js';
import type { TrackAnalysis } from './analyze-track.js';

export interface TrackView extends TrackDetails {
  favourite: boolean;
  descriptors: Descriptors | null;
  /** Where the analysed excerpt lies in the file (seconds), when the track was analysed. */
  analysis: { offset: number; decodedSeconds: number; trimStart: number; trimEnd: number; analysedSeconds: number; sr: number } | null;
}

const SR = 22050;

export function trackView(db: Db, id: number): TrackView {
  const d = trackDetails(db, id);
  if (!d) throw new YasrError('NOT_FOUND', `no track #${id}`);
  const meta = featureMeta<TrackAnalysis['meta']>(db, id, 'mfcc');
  return {
    ...d,
    favourite: likedIds(db).has(id),
    descriptors: featureMeta<Descriptors>(db, id, 'descriptors') ?? null,
    analysis: meta
      ? {
          offset: meta.offset,
          decodedSeconds: meta.decodedSeconds,
          trimStart: meta.offset + meta.trim[0] / SR,
          trimEnd: meta.offset + meta.trim[1] / SR,
          analysedSeconds: meta.analysedSeconds,
          sr: SR,
        }
      : null,
  };
}

export { catalogueCounts as catalogueStatus, type CatalogueCounts as CatalogueStatus } from '../store/summary.js';
