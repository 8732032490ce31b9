import { Link, useNavigation } from "@remix-run/react";
import { submissionUnderWay } from "~/components/submission-under-way";

/** A form's send button, disabled while it is being sent, and the way back without sending. */
export function FormActions({ submitLabel, cancelTo, cancelLabel = "Annulla" }: { submitLabel: string; cancelTo: string; cancelLabel?: string }) {
  const navigation = useNavigation();
  return (
    <div className="d-flex flex-wrap gap-3">
      <button type="submit" className="btn btn-primary" disabled={submissionUnderWay(navigation)}>
        {submitLabel}
      </button>
      <Link to={cancelTo} className="btn btn-outline-secondary">
        {cancelLabel}
      </Link>
    </div>
  );
}
