/**
 * Attribute validation on the hook path (docs/contracts/model.md, "Attribute validation";
 * docs/contracts/hooks.md), on both backends: a notification with an invalid entity fails
 * permanently — hook-consumer writes it to the failed-messages log with the error's `code` and
 * message as the reason — records nothing, and the next message applies.
 */
import { decodeBody, type HookNotification } from "@atlas-ha/hook-consumer";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import { applyNotification } from "../../src/hooks/apply.js";
import type { MetadataStore } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "../store/helpers.js";
import { thing, VALIDATION_TYPES } from "../support/validation-types.js";

const pg = usePostgres();
const POSITION = { epoch: 1, topic: "ATLAS_HOOK", partition: 0 };

const create = (...entities: unknown[]): HookNotification =>
  decodeBody({ type: "ENTITY_CREATE_V2", user: "hook", entities: { entities } });

const partial = (qualifiedName: string, attributes: Record<string, unknown>): HookNotification =>
  decodeBody({
    type: "ENTITY_PARTIAL_UPDATE_V2",
    user: "hook",
    entityId: { typeName: "vt_thing", uniqueAttributes: { qualifiedName } },
    entity: { entity: { typeName: "vt_thing", attributes } },
  });

describe.each<BackendName>(["sqlite", "postgres"])(
  "validation of hook messages on the %s store",
  (backend) => {
    const stores = storeFactory(backend, pg);
    const fresh = async (): Promise<MetadataStore> => {
      const { store } = await stores.fresh();
      await store.createTypedefs(1, VALIDATION_TYPES as never, "admin");
      return store;
    };
    const apply = (store: MetadataStore, notification: HookNotification, offset: number) =>
      applyNotification(store, notification, { ...POSITION, offset: String(offset) });
    const failure = (attempt: Promise<unknown>) =>
      attempt.then(
        () => undefined,
        (e: unknown) => e as Error & { code: string; permanent: boolean; cause: unknown },
      );

    it("an invalid entity fails its message permanently with the code and Atlas's messages; nothing of it is recorded, the next message applies", async () => {
      const store = await fresh();
      const error = await failure(
        apply(store, create(thing("good"), thing("bad", { origin: null, i: "x" })), 1),
      );
      expect(error).toMatchObject({
        name: "PermanentHookError",
        permanent: true,
        code: "STORE_INVALID_ATTRIBUTES",
      });
      // The failed-messages log records `code` and this message as the reason.
      expect(error!.message).toBe(
        "ENTITY_CREATE_V2 at ATLAS_HOOK/0@1 cannot be applied: Invalid instance creation/updation " +
          "parameters passed : vt_thing.origin: mandatory attribute value missing in type vt_base; " +
          "vt_thing.i=x: invalid value for type int",
      );
      expect(error!.cause).toMatchObject({ atlasErrorCode: "ATLAS-404-00-007", httpStatus: 404 });
      expect(await store.getByUniqueAttribute("vt_thing", "good@vt")).toBeNull();
      expect(await store.isHookApplied({ ...POSITION, offset: "1" })).toBe(false);

      const next = await apply(store, create(thing("next", { i: "41", level: "high" })), 2);
      expect(next.applied).toBe(true);
      expect(
        (await store.getByUniqueAttribute("vt_thing", "next@vt"))?.entity.attributes,
      ).toMatchObject({ i: 41, level: "HIGH" });
    });

    it("a partial update applies without the mandatory attributes but not with a bad value", async () => {
      const store = await fresh();
      await apply(store, create(thing("p", { i: 1 })), 1);
      expect((await apply(store, partial("p@vt", { i: "2" }), 2)).applied).toBe(true);
      const error = await failure(apply(store, partial("p@vt", { level: "MEDIUM" }), 3));
      expect(error).toMatchObject({ permanent: true, code: "STORE_INVALID_ATTRIBUTES" });
      expect(error!.message).toContain("vt_thing.level=MEDIUM: invalid value for type vt_level");
      expect(
        (await store.getByUniqueAttribute("vt_thing", "p@vt"))?.entity.attributes,
      ).toMatchObject({
        i: 2,
      });
    });

    it("a hive_column sent without its table fails (the contained end of a COMPOSITION is mandatory)", async () => {
      const store = await fresh();
      const error = await failure(
        apply(
          store,
          create({
            typeName: "hive_column",
            attributes: { qualifiedName: "db.t.c@vt", name: "c", type: "int" },
          }),
          1,
        ),
      );
      expect(error).toMatchObject({ permanent: true, code: "STORE_INVALID_ATTRIBUTES" });
      expect(error!.message).toContain(
        "hive_column.table: mandatory attribute value missing in type hive_column",
      );
    });
  },
);
