/** One stored variant of a developed file, as kept in `job_files.outputs`. */
export interface FileOutput {
  variant: string;
  key: string;
  format: string;
  contentType: string;
  extension: string;
  width: number;
  height: number;
  bytes: number;
}
