/**
 * A suspended charity (suspendCharity, by civil affairs) reads nothing new and claims nothing: every
 * operation it sends is refused whole (FORBIDDEN, reason CHARITY_SUSPENDED) — except listing its own
 * claims (myClaims, whose contacts then stay null) and cancelling one, so that capacity it holds can be
 * returned. Checked once per operation, before anything executes.
 */
import { Kind, type OperationDefinitionNode } from "graphql";
import type { RequestDeps } from "../request.js";
import { charityLoaders, suspended, type CharityDeps } from "./requests.js";

type Deps = CharityDeps;

const ALLOWED_WHILE_SUSPENDED = new Set(["myClaims", "cancelClaim", "__typename"]);

export async function refuseSuspendedCharity(deps: Deps, operation: OperationDefinitionNode): Promise<void> {
  if (deps.principal.audience !== "charity") return;
  const me = await charityLoaders(deps).me();
  if (!me || me.status !== "SUSPENDED") return;
  const onlyAllowed = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && ALLOWED_WHILE_SUSPENDED.has(s.name.value));
  if (!onlyAllowed) throw suspended();
}
