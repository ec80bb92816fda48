// `edge-gateway inventory`: the cameras the gateway knows, as stored by discovery.
import type { Command } from 'commander';
import { t } from '../i18n/index.ts';
import { openStore } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';
import { optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, table, type Io } from './output.ts';

export function registerInventoryCommand(program: Command, io: Io): void {
  program
    .command('inventory')
    .description(t('inventory.description'))
    .option('--json', t('opt.json.table'))
    .option('--config <file>', t('inventory.opt.config'))
    .option('--db <file>', t('inventory.opt.db'))
    .action((flags: { json?: boolean; config?: string; db?: string }) => {
      const path = flags.db ?? optionalConfig(io, flags.config)?.store.path;
      if (!path) throw new ExitError(t('err.noInventory'), EXIT.usage);
      const db = openStore(path);
      try {
        const cameras = new InventoryRepo(db).list();
        if (flags.json) return printJson(io, { cameras });
        io.out(
          table(
            [
              'col.id',
              'col.address',
              'col.device',
              'col.source',
              'col.lastSeen',
              'col.staleSince',
              'col.lastError',
            ],
            cameras.map((c) => [
              c.id,
              c.address,
              [c.manufacturer, c.model].filter(Boolean).join(' '),
              c.source,
              c.lastSeen,
              // Profiles kept from the last good read after a failed or partial one.
              c.staleSince,
              c.lastError,
            ]),
          ),
        );
      } finally {
        db.close();
      }
    });
}
