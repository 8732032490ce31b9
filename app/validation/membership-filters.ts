import { z } from "zod";
import {
  MEMBERSHIP_KINDS,
  MEMBERSHIP_STATUSES,
  SAI_CATEGORIES,
  type MembershipStatus,
  type SaiCategory,
} from "#db/enums";

// The coordinators' member list (/admin/adesioni): filters, sorting and page live in the URL with
// Italian names, so a filtered view can be bookmarked, shared and exported. A value that does not
// parse is ignored (the list falls back to "all"), never an error page.

export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];

export { MEMBERSHIP_KIND_LABELS, MEMBERSHIP_STATUS_LABELS } from "./labels";

export const LIST_PAGE_SIZE = 25;
export const SEARCH_MAX_LENGTH = 100;

/** Sort keys as they appear in the URL (`ordina`) and as the model knows them. */
export const SORT_PARAMS = { data: "created", ente: "ente", stato: "status", provincia: "province" } as const;
export type SortParam = keyof typeof SORT_PARAMS;
export type SortKey = (typeof SORT_PARAMS)[SortParam];
export type SortDirection = "asc" | "desc";

/** Dates start with the newest, names and the rest in alphabetical/workflow order. */
export const DEFAULT_DIRECTION: Record<SortKey, SortDirection> = { created: "desc", ente: "asc", status: "asc", province: "asc" };

export type MembershipFilters = {
  status?: MembershipStatus;
  /** ISTAT code of the province ("082"), or NO_PROVINCE for the enti that have none yet. */
  provinceCode?: string;
  category?: SaiCategory;
  kind?: MembershipKind;
  q?: string;
};

export type MembershipSort = { key: SortKey; direction: SortDirection };

export type MembershipListParams = { filters: MembershipFilters; sort: MembershipSort; page: number };

/** The province filter's value for the enti without a province (recorded before it was asked). */
export const NO_PROVINCE = "nessuna";

const ignoreInvalid = <T extends z.ZodTypeAny>(schema: T) => schema.optional().catch(undefined);

/** The URL search params of the list. Each one falls back to "not set" on its own when invalid. */
export const membershipFiltersSchema = z.object({
  stato: ignoreInvalid(z.enum(MEMBERSHIP_STATUSES)),
  provincia: ignoreInvalid(z.union([z.string().regex(/^\d{3}$/), z.literal(NO_PROVINCE)])),
  tipologia: ignoreInvalid(z.enum(SAI_CATEGORIES)),
  tipo: ignoreInvalid(z.enum(MEMBERSHIP_KINDS)),
  q: ignoreInvalid(
    z
      .string()
      .transform((v) => v.replace(/\s+/g, " ").trim().slice(0, SEARCH_MAX_LENGTH))
      .transform((v) => (v === "" ? undefined : v)),
  ),
  ordina: ignoreInvalid(z.enum(Object.keys(SORT_PARAMS) as [SortParam, ...SortParam[]])),
  verso: ignoreInvalid(z.enum(["asc", "desc"])),
  pagina: ignoreInvalid(z.coerce.number().int().min(1).max(1_000_000)),
});

const PARAM_NAMES = Object.keys(membershipFiltersSchema.shape) as (keyof typeof membershipFiltersSchema.shape)[];

/** Filters, sort and page from the URL; with a repeated parameter the first value counts. */
export function parseMembershipListParams(searchParams: URLSearchParams): MembershipListParams {
  const raw: Record<string, string> = {};
  for (const name of PARAM_NAMES) {
    const value = searchParams.get(name);
    if (value !== null) raw[name] = value;
  }
  const p = membershipFiltersSchema.parse(raw);
  const key = p.ordina ? SORT_PARAMS[p.ordina] : "created";
  const filters: MembershipFilters = {};
  if (p.stato) filters.status = p.stato;
  if (p.provincia) filters.provinceCode = p.provincia;
  if (p.tipologia) filters.category = p.tipologia;
  if (p.tipo) filters.kind = p.tipo;
  if (p.q) filters.q = p.q;
  return { filters, sort: { key, direction: p.verso ?? DEFAULT_DIRECTION[key] }, page: p.pagina ?? 1 };
}

const SORT_PARAM_OF = Object.fromEntries(Object.entries(SORT_PARAMS).map(([param, key]) => [key, param])) as Record<SortKey, SortParam>;

/** The URL search params of a list view; defaults are left out so URLs stay short. */
export function membershipListSearchParams({
  filters = {},
  sort,
  page = 1,
}: {
  filters?: MembershipFilters;
  sort?: MembershipSort;
  page?: number;
}): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set("stato", filters.status);
  if (filters.provinceCode) params.set("provincia", filters.provinceCode);
  if (filters.category) params.set("tipologia", filters.category);
  if (filters.kind) params.set("tipo", filters.kind);
  if (filters.q) params.set("q", filters.q);
  if (sort && (sort.key !== "created" || sort.direction !== DEFAULT_DIRECTION.created)) {
    params.set("ordina", SORT_PARAM_OF[sort.key]);
    if (sort.direction !== DEFAULT_DIRECTION[sort.key]) params.set("verso", sort.direction);
  }
  if (page > 1) params.set("pagina", String(page));
  return params;
}

/** "?stato=pending&q=…" or "" when there is nothing to carry. */
export function queryString(params: URLSearchParams) {
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** The bulk approval form: the ids of the ticked rows. */
export const bulkApproveSchema = z.object({
  ids: z
    .array(z.coerce.number({ invalid_type_error: "Selezione non valida" }).int("Selezione non valida").positive("Selezione non valida"))
    .min(1, "Seleziona almeno una richiesta da approvare.")
    .max(LIST_PAGE_SIZE * 4, `Si possono approvare al massimo ${LIST_PAGE_SIZE * 4} richieste alla volta.`)
    .transform((ids) => [...new Set(ids)]),
});
export type BulkApproveInput = z.infer<typeof bulkApproveSchema>;

/**
 * What the list says after a bulk approval (Post/Redirect/Get): `approvate` is how many went
 * through, `non_approvate` the ids that did not. Anything malformed is ignored.
 */
export const bulkApproveOutcomeSchema = z.object({
  approvate: ignoreInvalid(z.coerce.number().int().min(0).max(100_000)),
  non_approvate: ignoreInvalid(
    z
      .string()
      .regex(/^\d{1,12}(,\d{1,12}){0,99}$/)
      .transform((s) => [...new Set(s.split(",").map(Number))]),
  ),
});

export function parseBulkApproveOutcome(searchParams: URLSearchParams) {
  const parsed = bulkApproveOutcomeSchema.parse({
    approvate: searchParams.get("approvate") ?? undefined,
    non_approvate: searchParams.get("non_approvate") ?? undefined,
  });
  if (parsed.approvate === undefined && !parsed.non_approvate) return null;
  return { approved: parsed.approvate ?? 0, failedIds: parsed.non_approvate ?? [] };
}
