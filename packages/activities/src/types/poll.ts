import { z } from "zod";
import { defineActivityType } from "../define";
import { checkSelection, percentOf, tallyOptions } from "../tally";
import { count, optionList, percentage, promptText, selectedOptions } from "./fields";

export const pollConfig = z.strictObject({
  question: promptText(),
  options: optionList,
  allow_multiple: z.boolean({ error: "must be true or false" }).optional(),
});

export const pollResponse = z.strictObject({ selected_options: selectedOptions });

export const pollResult = z
  .object({
    /** In the config's order. `percentage` is the share of voters who chose the option. */
    options: z.array(z.object({ option: z.string(), count, percentage })),
    total_voters: count,
  })
  .meta({ id: "PollResult" });

export const poll = defineActivityType({
  type: "poll",
  description: "Participants choose one option (or several, with allow_multiple).",
  config: pollConfig,
  response: pollResponse,
  result: pollResult,
  mode: "single",
  checkResponse: (response, config) => checkSelection(response.selected_options, config.options, config.allow_multiple === true),
  toText: (response) => response.selected_options.join("; "),
  aggregate: (config, responses) => {
    const counts = tallyOptions(
      config.options,
      responses.map((r) => r.data.selected_options),
    );
    const voters = responses.length;
    return {
      options: config.options.map((option) => {
        const n = counts.get(option) ?? 0;
        return { option, count: n, percentage: percentOf(n, voters) };
      }),
      total_voters: voters,
    };
  },
});
