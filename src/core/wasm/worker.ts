// A compute-core helper thread in Node: a worker_threads worker that gets the module and memory as workerData.
import { workerData } from "node:worker_threads";
import { serveJobs, type HelperData } from "./helper.js";

serveJobs(workerData as HelperData);
