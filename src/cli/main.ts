#!/usr/bin/env node
// latentkit command line: `latentkit <command> --help` for each command.
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { CancelledError, LatentkitError } from "../core/errors.js";
import { isSystemError, systemErrorReason } from "../io/fs.js";
import { infoCommand } from "./info.js";
import { deepwalkCommand, node2vecCommand } from "./graph.js";
import { attackCommand } from "./attack.js";
import { denoiseCommand } from "./denoise.js";
import { hashCommand } from "./hash.js";
import { autoencoderCommand } from "./neural.js";
import { vaeCommand } from "./vae.js";
import { cnnCommand } from "./cnn.js";
import { netmfCommand, nodeClassifyCommand } from "./graph-eval.js";
import { visualizeCommand } from "./visualize.js";
import { transferCommand } from "./transfer.js";
import { mdsCommand, sammonCommand, tsneCommand, umapCommand } from "./maps.js";
import { pcaCommand, svdCommand } from "./pca.js";
import { analogyCommand, embedTextCommand, evaluateCommand, lsaCommand, ppmiSvdCommand, similarCommand, word2vecCommand, wordMapCommand } from "./text.js";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

export function program(): Command {
  const p = new Command("latentkit")
    .description("representation learning in TypeScript: PCA/SVD, t-SNE/UMAP/Sammon/MDS maps, LSA and word vectors, autoencoders, VAEs and semantic hashing")
    .version(pkg.version);
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
  p.addCommand(autoencoderCommand());
  p.addCommand(vaeCommand());
  p.addCommand(denoiseCommand());
  p.addCommand(hashCommand());
  p.addCommand(cnnCommand());
  p.addCommand(netmfCommand());
  p.addCommand(nodeClassifyCommand());
  p.addCommand(visualizeCommand());
  p.addCommand(node2vecCommand());
  p.addCommand(deepwalkCommand());
  p.addCommand(attackCommand());
  p.addCommand(transferCommand());
  return p;
}

/**
 * Usage errors from the argument parser (unknown command or option, missing argument, a value not among the
 * choices) are one line on stderr and exit code 2, like every other error; --help and --version exit 0.
 */
function conventions(cmd: Command): Command {
  cmd.exitOverride().showHelpAfterError(false).configureOutput({
    outputError: (str, write) => {
      const line = str.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
      const name = cmd.name() === "latentkit" ? "latentkit" : `latentkit ${cmd.name()}`;
      write(`latentkit: ${line} (see '${name} --help')\n`);
    },
  });
  for (const sub of cmd.commands) conventions(sub);
  return cmd;
}

// Ctrl-C and SIGTERM stop the run: outputs not yet committed are removed by the exit hook of io/fs.ts
process.once("SIGINT", () => {
  process.stderr.write("\nlatentkit: cancelled\n");
  process.exit(130);
});
process.once("SIGTERM", () => {
  process.stderr.write("latentkit: terminated\n");
  process.exit(143);
});
// `latentkit ... | head`: a closed pipe ends the run quietly
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

try {
  await conventions(program()).parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof LatentkitError || e instanceof CancelledError) {
    process.stderr.write(`latentkit: ${e.message}\n`);
    process.exit(2);
  }
  if (isSystemError(e)) {
    // a file-system error that no reader or writer turned into a message of its own
    const path = typeof e.path === "string" ? e.path : "a file";
    process.stderr.write(`latentkit: cannot ${/write|open|rename|mkdir/.test(e.syscall ?? "") ? "write" : "read"} ${path}: ${systemErrorReason(e)}\n`);
    process.exit(2);
  }
  throw e;
}
