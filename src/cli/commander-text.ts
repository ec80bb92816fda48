// commander writes its own errors and help headings in English; these say them from the catalogue.
import { Help, type Option } from 'commander';
import { t, type MessageKey } from '../i18n/index.ts';

const TITLES: Record<string, MessageKey> = {
  'Usage:': 'commander.usage',
  'Options:': 'commander.options',
  'Commands:': 'commander.commands',
  'Arguments:': 'commander.arguments',
  'Global Options:': 'commander.globalOptions',
};

/** commander's error lines, as its source (lib/command.js) writes them. */
const ERRORS: [RegExp, MessageKey, string[]][] = [
  [/^error: unknown command '(.*?)'/, 'commander.unknownCommand', ['name']],
  [/^error: unknown option '(.*?)'/, 'commander.unknownOption', ['name']],
  [/^error: missing required argument '(.*?)'/, 'commander.missingArgument', ['name']],
  [/^error: option '(.*?)' argument missing/, 'commander.optionArgumentMissing', ['flags']],
  [/^error: required option '(.*?)' not specified/, 'commander.requiredOption', ['flags']],
  [
    /^error: option '(.*?)' argument '(.*?)' is invalid\. Allowed choices are (.*?)\./,
    'commander.invalidChoice',
    ['flags', 'value', 'choices'],
  ],
  [
    /^error: too many arguments(.*?)\. Expected (.*?) but got (\d+)\./,
    'commander.tooManyArguments',
    ['where', 'expected', 'got'],
  ],
  [/^\(Did you mean (?:one of )?(.*?)\?\)/, 'commander.didYouMean', ['names']],
];

/** One line of commander's error output in the current language (unknown lines pass as they are). */
export function commanderLine(line: string): string {
  for (const [re, key, names] of ERRORS) {
    const m = re.exec(line);
    if (m) return t(key, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return line;
}

export function commanderError(text: string): string {
  return text.split('\n').map(commanderLine).join('\n');
}

/** Help headings and the "(choices: …, default: …)" notes in the current language. */
export const helpConfiguration: Partial<Help> = {
  styleTitle: (title: string) => {
    const key = TITLES[title];
    return key ? t(key) : title;
  },
  styleUsage: (usage: string) =>
    usage
      .replace('[options]', `[${t('commander.optionsWord')}]`)
      .replace('[command]', `[${t('commander.commandWord')}]`),
  optionDescription(this: Help, option: Option): string {
    return Help.prototype.optionDescription
      .call(this, option)
      .replace(/\(choices: /, `(${t('commander.choices')} `)
      .replace(/([(,] )?default: /, (_m, p: string | undefined) => `${p ?? ''}${t('commander.default')} `);
  },
};
