/**
 * Flight client process for the stress test: reads a DoGet stream until killed (the test sends
 * SIGKILL midway) or until it ends. Prints `READING` after the first batch.
 */
import { FlightClient } from "../mod.ts";

const [address, ticket] = Deno.args;
const client = new FlightClient(address);
let announced = false;
for await (const _batch of client.doGet(ticket)) {
  if (!announced) {
    console.log("READING");
    announced = true;
  }
}
client.close();
