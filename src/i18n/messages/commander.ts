// commander's own messages (errors, help headings), said again from the catalogue.
export const en = {
  'commander.usage': 'Usage:',
  'commander.options': 'Options:',
  'commander.commands': 'Commands:',
  'commander.arguments': 'Arguments:',
  'commander.globalOptions': 'Global Options:',
  'commander.optionsWord': 'options',
  'commander.commandWord': 'command',
  'commander.choices': 'choices:',
  'commander.default': 'default:',
  'commander.unknownCommand': "error: unknown command '{name}'",
  'commander.unknownOption': "error: unknown option '{name}'",
  'commander.missingArgument': "error: missing required argument '{name}'",
  'commander.optionArgumentMissing': "error: option '{flags}' argument missing",
  'commander.requiredOption': "error: required option '{flags}' not specified",
  'commander.invalidChoice':
    "error: option '{flags}' argument '{value}' is invalid. Allowed choices are {choices}.",
  'commander.tooManyArguments': 'error: too many arguments{where}. Expected {expected} but got {got}.',
  'commander.didYouMean': '(Did you mean {names}?)',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'commander.usage': 'Cách dùng:',
  'commander.options': 'Tùy chọn:',
  'commander.commands': 'Lệnh:',
  'commander.arguments': 'Tham số:',
  'commander.globalOptions': 'Tùy chọn chung:',
  'commander.optionsWord': 'tùy chọn',
  'commander.commandWord': 'lệnh',
  'commander.choices': 'giá trị được phép:',
  'commander.default': 'mặc định:',
  'commander.unknownCommand': "lỗi: không có lệnh '{name}'",
  'commander.unknownOption': "lỗi: không có tùy chọn '{name}'",
  'commander.missingArgument': "lỗi: thiếu tham số bắt buộc '{name}'",
  'commander.optionArgumentMissing': "lỗi: tùy chọn '{flags}' thiếu giá trị",
  'commander.requiredOption': "lỗi: chưa có tùy chọn bắt buộc '{flags}'",
  'commander.invalidChoice':
    "lỗi: giá trị '{value}' của tùy chọn '{flags}' không hợp lệ. Các giá trị được phép: {choices}.",
  'commander.tooManyArguments': 'lỗi: thừa tham số{where}. Cần {expected} nhưng nhận được {got}.',
  'commander.didYouMean': '(Có phải ý bạn là {names}?)',
};
