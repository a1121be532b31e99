#!/usr/bin/env node
// latentkit command line: `latentkit <command> --help` for each command.
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { CancelledError, LatentkitError } from "../core/errors.js";
import { infoCommand } from "./info.js";
import { mdsCommand, sammonCommand, tsneCommand, umapCommand } from "./maps.js";
import { pcaCommand, svdCommand } from "./pca.js";
import { analogyCommand, embedTextCommand, evaluateCommand, lsaCommand, ppmiSvdCommand, similarCommand, word2vecCommand, wordMapCommand } from "./text.js";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

export function program(): Command {
  const p = new Command("latentkit")
    .description("representation learning in TypeScript: PCA/SVD, t-SNE/UMAP/Sammon/MDS maps, LSA and word vectors; graph and neural embeddings to come")
    .version(pkg.version)
    .showHelpAfterError();
  p.addCommand(pcaCommand());
  p.addCommand(svdCommand());
  p.addCommand(infoCommand());
  p.addCommand(tsneCommand());
  p.addCommand(umapCommand());
  p.addCommand(sammonCommand());
  p.addCommand(mdsCommand());
  p.addCommand(lsaCommand());
  p.addCommand(ppmiSvdCommand());
  p.addCommand(word2vecCommand());
  p.addCommand(similarCommand());
  p.addCommand(analogyCommand());
  p.addCommand(embedTextCommand());
  p.addCommand(evaluateCommand());
  p.addCommand(wordMapCommand());
  return p;
}

process.once("SIGINT", () => {
  process.stderr.write("\ncancelled\n");
  process.exit(130);
});

try {
  await program().exitOverride().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof LatentkitError || e instanceof CancelledError) {
    process.stderr.write(`latentkit: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
