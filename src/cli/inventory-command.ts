// `edge-gateway inventory`: the cameras the gateway knows, as stored by discovery.
import type { Command } from 'commander';
import { openStore } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';
import { optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, table, type Io } from './output.ts';

export function registerInventoryCommand(program: Command, io: Io): void {
  program
    .command('inventory')
    .description('list the cameras stored in the inventory')
    .option('--json', 'print JSON instead of a table')
    .option('--config <file>', 'configuration file (for store.path)')
    .option('--db <file>', 'SQLite file to read')
    .action((flags: { json?: boolean; config?: string; db?: string }) => {
      const path = flags.db ?? optionalConfig(io, flags.config)?.store.path;
      if (!path) throw new ExitError('no inventory: pass --db FILE or --config FILE', EXIT.usage);
      const db = openStore(path);
      try {
        const cameras = new InventoryRepo(db).list();
        if (flags.json) return printJson(io, { cameras });
        io.out(
          table(
            ['ID', 'ADDRESS', 'DEVICE', 'SOURCE', 'LAST SEEN', 'LAST ERROR'],
            cameras.map((c) => [
              c.id,
              c.address,
              [c.manufacturer, c.model].filter(Boolean).join(' '),
              c.source,
              c.lastSeen,
              c.lastError,
            ]),
          ),
        );
      } finally {
        db.close();
      }
    });
}
