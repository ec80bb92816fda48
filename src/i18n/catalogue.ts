// Every human-facing sentence, by key, in English and Vietnamese. Each area keeps both languages
// side by side in messages/<area>.ts; the type makes a missing translation a compile error and
// test/i18n/catalogue.test.ts checks placeholders and diacritics.
import * as cli from './messages/cli.ts';
import * as commander from './messages/commander.ts';
import * as commands from './messages/commands.ts';
import * as config from './messages/config.ts';
import * as configProblems from './messages/config-problems.ts';
import * as demo from './messages/demo.ts';
import * as diagnose from './messages/diagnose.ts';
import * as discover from './messages/discover.ts';
import * as ladder from './messages/ladder.ts';
import * as output from './messages/output.ts';
import * as reload from './messages/reload.ts';
import * as relay from './messages/relay.ts';
import * as survey from './messages/survey.ts';
import * as surveyAdvice from './messages/survey-advice.ts';
import * as service from './messages/service.ts';

export const en = {
  ...cli.en,
  ...commander.en,
  ...commands.en,
  ...output.en,
  ...config.en,
  ...configProblems.en,
  ...discover.en,
  ...diagnose.en,
  ...ladder.en,
  ...reload.en,
  ...relay.en,
  ...survey.en,
  ...surveyAdvice.en,
  ...demo.en,
  ...service.en,
} as const;

export type MessageKey = keyof typeof en;

export const vi: Record<MessageKey, string> = {
  ...cli.vi,
  ...commander.vi,
  ...commands.vi,
  ...output.vi,
  ...config.vi,
  ...configProblems.vi,
  ...discover.vi,
  ...diagnose.vi,
  ...ladder.vi,
  ...reload.vi,
  ...relay.vi,
  ...survey.vi,
  ...surveyAdvice.vi,
  ...demo.vi,
  ...service.vi,
};
