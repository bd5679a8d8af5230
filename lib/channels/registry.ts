import type { Channel } from "@/db/schema";
import { emailAdapter } from "./email";
import { inAppAdapter } from "./in-app";
import { slackAdapter } from "./slack";
import { smsAdapter } from "./sms";
import { teamsAdapter } from "./teams";
import type { ChannelAdapter } from "./types";
import { webhookAdapter } from "./webhook";

export const channelRegistry: Record<Channel, ChannelAdapter> = {
  email: emailAdapter as ChannelAdapter,
  sms: smsAdapter as ChannelAdapter,
  slack: slackAdapter as ChannelAdapter,
  teams: teamsAdapter as ChannelAdapter,
  webhook: webhookAdapter as ChannelAdapter,
  in_app: inAppAdapter as ChannelAdapter,
};

export function adapterFor(channel: Channel): ChannelAdapter {
  return channelRegistry[channel];
}
