/**
 * Splits a text stream into lines (test helper; JSR's TextLineStream is not reachable here).
 *
 * @module
 */

/** A TransformStream from text chunks to lines without their line endings. */
export class TextLineStream extends TransformStream<string, string> {
  /** Creates the stream. */
  constructor() {
    let buffer = "";
    super({
      transform(chunk, controller) {
        buffer += chunk;
        let i;
        while ((i = buffer.indexOf("\n")) >= 0) {
          controller.enqueue(buffer.slice(0, i).replace(/\r$/, ""));
          buffer = buffer.slice(i + 1);
        }
      },
      flush(controller) {
        if (buffer !== "") controller.enqueue(buffer);
      },
    });
  }
}
