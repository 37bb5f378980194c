import { useId, useState, type DragEvent } from 'react';

/** A drop zone that is also a labelled file input (keyboard: Tab to it, Enter/Space to pick). */
export function FilePicker({
  label,
  accept,
  onFiles,
  disabled,
}: {
  label: string;
  accept?: string;
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled && event.dataTransfer.files.length) onFiles([...event.dataTransfer.files]);
  };
  return (
    <div
      className={over ? 'dropzone over' : 'dropzone'}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        multiple
        accept={accept}
        disabled={disabled}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
      <span className="hint">or drop files here</span>
    </div>
  );
}
