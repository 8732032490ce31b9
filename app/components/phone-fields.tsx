import type { UseFormRegisterReturn } from "react-hook-form";
import { TextField } from "./form-fields";

type PhoneName = "phone" | "mobile";

type Props = {
  values: { phone?: string | null; mobile?: string | null };
  errorFor: (name: PhoneName) => string | undefined;
  register: (name: PhoneName) => UseFormRegisterReturn;
  /** The person's own numbers, which the browser may fill in: not so for someone else's (a successor's). */
  ownNumbers?: boolean;
};

/** Telefono and the optional cellulare of a referente, side by side: the scheda, the referent's data, a successor. */
export function PhoneFields({ values, errorFor, register, ownNumbers = false }: Props) {
  return (
    <div className="row">
      <div className="col-md-6">
        <TextField
          label="Telefono"
          type="tel"
          autoComplete={ownNumbers ? "tel" : undefined}
          hint="Ad esempio 091 1234567"
          defaultValue={values.phone ?? ""}
          error={errorFor("phone")}
          {...register("phone")}
        />
      </div>
      <div className="col-md-6">
        <TextField
          label="Cellulare (facoltativo)"
          type="tel"
          autoComplete={ownNumbers ? "mobile tel" : undefined}
          hint="Ad esempio 333 1234567"
          defaultValue={values.mobile ?? ""}
          error={errorFor("mobile")}
          {...register("mobile")}
        />
      </div>
    </div>
  );
}
