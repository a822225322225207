/**
 * A suspended charity (suspendCharity, by civil affairs) reads nothing new and claims nothing: every
 * operation it sends is refused whole (FORBIDDEN, reason CHARITY_SUSPENDED) — except listing its own
 * claims (myClaims, whose contacts then stay null) and cancelling one, so that capacity it holds can be
 * returned. Checked once per operation, before anything executes.
 */
import { Kind, type OperationDefinitionNode } from "graphql";
import type { GatewayContext } from "../../graphql/context.js";
import { charityLoaders, suspended } from "./requests.js";

const ALLOWED_WHILE_SUSPENDED = new Set(["myClaims", "cancelClaim", "__typename"]);

export async function refuseSuspendedCharity(ctx: GatewayContext, operation: OperationDefinitionNode): Promise<void> {
  if (ctx.principal.audience !== "charity") return;
  const me = await charityLoaders(ctx).me();
  if (!me || me.status !== "SUSPENDED") return;
  const onlyAllowed = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && ALLOWED_WHILE_SUSPENDED.has(s.name.value));
  if (!onlyAllowed) throw suspended();
}
