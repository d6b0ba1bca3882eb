/**
 * A catalogue source: a public service that lists new music with downloadable audio (a preview
 * or the whole track). One adapter per service (./adapters/<name>.ts), one entry in
 * ./registry.ts. An adapter only lists and maps; downloading, de-duplication and storage are
 * the ingest stage's (src/pipeline/ingest.ts).
 */
import type { HttpJson } from './http-json.js';

export type ServiceName = 'deezer' | 'itunes' | 'jamendo' | 'archive';

/** One track as a catalogue describes it, mapped to yasr's fields. */
export interface CatalogueTrack {
  /** Stable source key, e.g. 'deezer:track/3135556': the same track listed again is the same source. */
  key: string;
  service: ServiceName;
  /** The service's own ids (track, album, artist...). */
  serviceIds: Record<string, string>;
  artist: string;
  title: string;
  album: string | null;
  /** YYYY-MM-DD (or YYYY / YYYY-MM when the service gives no more). */
  releaseDate: string | null;
  /** Length of the whole track in seconds as the service states it (a preview is shorter). */
  duration: number | null;
  /** A page a person can open. */
  link: string | null;
  isrc: string | null;
  /** Licence URL (Creative Commons for Jamendo and most netlabels). */
  licence: string | null;
  coverUrl: string | null;
  /** http(s) URL of the audio to analyse. */
  audioUrl: string;
  /** True when the audio is a short preview rather than the whole track. */
  isPreview: boolean;
  /** 0-100 on yasr's common audience scale (see popularity.ts); null when the service offers nothing. */
  popularity: number | null;
  /** What the popularity was computed from, e.g. 'deezer artist fans 1204'. */
  popularityBasis: string | null;
}

/** A page of listed tracks, and the items of that page that could not be mapped. */
export interface ListPage {
  tracks: CatalogueTrack[];
  failures: { item: string; error: string }[];
}

export interface ListOptions {
  /** Only tracks released on or after this day (YYYY-MM-DD); null: no date limit. */
  since: string | null;
  /** "Today" (tests pin it). */
  today: Date;
  signal?: AbortSignal;
}

export interface SourceContext {
  http: HttpJson;
  options: ListOptions;
  env: NodeJS.ProcessEnv;
}

/** A parsed spec: 'deezer:album/302127' -> { path: ['album', '302127'], params }. */
export interface SourceSpec {
  scheme: ServiceName;
  /** The spec as given. */
  text: string;
  path: string[];
  params: URLSearchParams;
}

export interface CatalogueAdapter {
  scheme: ServiceName;
  /** Base URL of the service's API, and the environment variable that overrides it. */
  defaultBase: string;
  baseEnv: string;
  /** Requests allowed per window (the service's documented limit, or a polite guess). */
  rate: { requests: number; perMs: number };
  /** Statuses that mean "slow down" for this service beyond 408, 429 and 5xx (iTunes throttles with 403). */
  retryStatuses?: number[];
  /** One line per accepted form, for --help. */
  forms: string[];
  /** Validate the part after 'scheme:'; throws YasrError BAD_PARAMETER quoting the spec. */
  check(spec: SourceSpec): void;
  /** List tracks page by page, newest first where the service can sort. */
  list(spec: SourceSpec, ctx: SourceContext): AsyncGenerator<ListPage>;
}
